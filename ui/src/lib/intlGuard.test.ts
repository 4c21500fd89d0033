import { describe, expect, it } from "vitest";
import { installIntlGuard, validLanguageTag } from "./intlGuard";

describe("intl guard", () => {
  it("recognises valid and invalid language tags", () => {
    expect(validLanguageTag("en-US")).toBe(true);
    expect(validLanguageTag("de")).toBe(true);
    expect(validLanguageTag("C")).toBe(false);
    expect(validLanguageTag("")).toBe(false);
    expect(validLanguageTag(undefined)).toBe(false);
  });

  it("replaces an invalid navigator.language (LANG=C) so Intl works", () => {
    const nav = { language: "C", languages: ["C"] } as unknown as Navigator;
    expect(installIntlGuard(nav)).toBe(true);
    expect(nav.language).toBe("en-US");
    expect(nav.languages).toEqual(["en-US"]);
    expect(() => new Intl.NumberFormat(nav.language)).not.toThrow();
  });

  it("leaves a valid language alone", () => {
    const nav = { language: "fr-FR", languages: ["fr-FR"] } as unknown as Navigator;
    expect(installIntlGuard(nav)).toBe(false);
    expect(nav.language).toBe("fr-FR");
  });
});
