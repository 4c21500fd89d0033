// The EAC in the detail pane and the table's filter: after the filter
// changes, the pane says so when its EAC is no longer among the rows (it
// stays readable; the person closes it or changes the filter).

import type { EacFilter } from "./types";
import { isEmptyFilter } from "./filters";

/** The filter narrowed to one EAC: counting it says whether the EAC is in the filter. Null: no filter, so it is. */
export function membershipFilter(filter: EacFilter, id: string): EacFilter | null {
  if (isEmptyFilter(filter)) return null;
  // picked-row ids are not part of what the table shows
  const { ids: _ids, exclude_ids: _ex, ...rest } = filter;
  return { ...rest, ids: [id] };
}

export function hiddenByFilterText(label: string): string {
  return `${label} is not in the current filter, so the table does not show it. Close it here, or clear the filter to see its row.`;
}
