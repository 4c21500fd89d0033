import { describe, expect, it } from "vitest";
import { applyTheme, effectiveScheme } from "./theme";

function fakeMedia(matches: boolean) {
  const listeners = new Set<() => void>();
  return {
    matches,
    addEventListener: (_: string, f: () => void) => listeners.add(f),
    removeEventListener: (_: string, f: () => void) => listeners.delete(f),
    flip(to: boolean) {
      this.matches = to;
      for (const f of listeners) f();
    },
    listeners,
  };
}

describe("theme", () => {
  it("follows the system only when asked to", () => {
    expect(effectiveScheme("system", true)).toBe("dark");
    expect(effectiveScheme("system", false)).toBe("light");
    expect(effectiveScheme("light", true)).toBe("light");
    expect(effectiveScheme("dark", false)).toBe("dark");
  });

  it("sets the scheme on the root and follows the OS switching while it runs", () => {
    const root = { dataset: {} as DOMStringMap, style: { colorScheme: "" } };
    const media = fakeMedia(false);
    const stop = applyTheme("system", root, media as unknown as MediaQueryList);
    expect(root.dataset.scheme).toBe("light");
    media.flip(true);
    expect(root.dataset.scheme).toBe("dark");
    stop();
    expect(media.listeners.size).toBe(0);
    media.flip(false);
    expect(root.dataset.scheme).toBe("dark");
  });

  it("a chosen theme ignores the OS", () => {
    const root = { dataset: {} as DOMStringMap, style: { colorScheme: "" } };
    const media = fakeMedia(true);
    applyTheme("light", root, media as unknown as MediaQueryList);
    expect(root.dataset.scheme).toBe("light");
    expect(root.dataset.theme).toBe("light");
    expect(media.listeners.size).toBe(0);
  });
});
