// Envelope-only EACs (imported from a P2 listing without their detail files):
// the footer link's wording and the dialog's paging, kept here so it is tested.

import type { EnvelopeOnlyRow } from "./types";
import { formatCount } from "./decimal";
import { beneficiaryTypeLabel } from "./labels";

/** Rows fetched per "Show more". */
export const ENVELOPE_PAGE = 200;

/** "+ 3 EACs without values (P2 envelope only)". */
export function envelopeLinkText(n: number): string {
  return `+ ${formatCount(n)} ${n === 1 ? "EAC" : "EACs"} without values (P2 envelope only)`;
}

/** A full page came back, so another one may follow. */
export function mayHaveMore(pageLength: number, pageSize: number = ENVELOPE_PAGE): boolean {
  return pageSize > 0 && pageLength >= pageSize;
}

/** The offset of the next page after `loaded` rows. */
export function nextOffset(loaded: readonly unknown[]): number {
  return loaded.length;
}

/** Appends a page, leaving out ids already shown (the list may shift between pages). */
export function appendPage(loaded: readonly EnvelopeOnlyRow[], page: readonly EnvelopeOnlyRow[]): EnvelopeOnlyRow[] {
  const seen = new Set(loaded.map((r) => r.cds_eac_id));
  return [...loaded, ...page.filter((r) => !seen.has(r.cds_eac_id))];
}

/** "Account: A-1, A-2" / "General (everyone)". */
export function beneficiariesText(row: Pick<EnvelopeOnlyRow, "beneficiary_type" | "beneficiaries">): string {
  const label = beneficiaryTypeLabel(row.beneficiary_type);
  if (row.beneficiaries.length === 0) return label;
  return `${label}: ${row.beneficiaries.join(", ")}`;
}
