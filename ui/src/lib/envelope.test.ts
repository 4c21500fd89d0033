import { describe, expect, it } from "vitest";
import { appendPage, beneficiariesText, envelopeLinkText, mayHaveMore, nextOffset, ENVELOPE_PAGE } from "./envelope";
import type { EnvelopeOnlyRow } from "./types";

function row(id: string): EnvelopeOnlyRow {
  return {
    cds_eac_id: id,
    cds_created: "2024-01-01T00:00:00Z",
    cds_modified: "2024-01-01T00:00:00Z",
    cds_synced: "2024-01-02T00:00:00Z",
    beneficiary_type: "account",
    beneficiaries: ["A-1"],
    eac_numbers: ["N-1"],
    eac_format: "x",
    eac_data_url: "https://example.org/" + id + ".json",
    period_start: "2024-01-01T00:00:00Z",
    period_end: "2024-02-01T00:00:00Z",
  };
}

describe("envelope-only footer link", () => {
  it("counts EACs in plain words", () => {
    expect(envelopeLinkText(1)).toBe("+ 1 EAC without values (P2 envelope only)");
    expect(envelopeLinkText(1500)).toBe("+ 1 500 EACs without values (P2 envelope only)");
  });
});

describe("envelope-only paging", () => {
  it("offers more only after a full page", () => {
    expect(ENVELOPE_PAGE).toBe(200);
    expect(mayHaveMore(200)).toBe(true);
    expect(mayHaveMore(199)).toBe(false);
    expect(mayHaveMore(0)).toBe(false);
    expect(mayHaveMore(5, 5)).toBe(true);
  });
  it("continues after what is loaded and skips repeated ids", () => {
    const a = [row("1"), row("2")];
    expect(nextOffset(a)).toBe(2);
    expect(appendPage(a, [row("2"), row("3")]).map((r) => r.cds_eac_id)).toEqual(["1", "2", "3"]);
  });
  it("writes beneficiaries with their type", () => {
    expect(beneficiariesText({ beneficiary_type: "account", beneficiaries: ["A-1", "A-2"] })).toBe(
      "Account: A-1, A-2",
    );
    expect(beneficiariesText({ beneficiary_type: "general", beneficiaries: [] })).toBe("General (everyone)");
  });
});
