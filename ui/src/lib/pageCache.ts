// Page-wise cache of table rows. Rows are fetched page by page with
// browse_page; only the pages near the visible rows are kept, so the whole
// result set is never in memory.

/** Pages that cover rows [first, last) widened by `prefetch` rows on each side. */
export function pagesForRange(
  first: number,
  last: number,
  pageSize: number,
  count: number,
  prefetch = 0,
): number[] {
  if (count <= 0 || last <= first) return [];
  const a = Math.max(0, first - prefetch);
  const b = Math.min(count, last + prefetch);
  if (b <= a) return [];
  const p0 = Math.floor(a / pageSize);
  const p1 = Math.floor((b - 1) / pageSize);
  const out: number[] = [];
  for (let p = p0; p <= p1; p++) out.push(p);
  return out;
}

/** Distance (in pages) from page `p` to the nearest needed page. */
function distance(p: number, needed: readonly number[]): number {
  let d = Infinity;
  for (const n of needed) d = Math.min(d, Math.abs(p - n));
  return d;
}

/**
 * Which cached pages to drop so that at most `maxPages` stay. Needed pages are
 * never dropped; among the others, the farthest from the needed ones go first.
 * Result sorted ascending.
 */
export function pagesToDrop(cached: Iterable<number>, needed: readonly number[], maxPages: number): number[] {
  const neededSet = new Set(needed);
  const all = [...cached];
  const excess = all.length - Math.max(maxPages, neededSet.size);
  if (excess <= 0) return [];
  const candidates = all
    .filter((p) => !neededSet.has(p))
    .sort((x, y) => distance(y, needed) - distance(x, needed) || y - x);
  return candidates.slice(0, excess).sort((x, y) => x - y);
}

export class PageCache<T> {
  private pages = new Map<number, T[]>();
  private inFlight = new Set<number>();
  readonly pageSize: number;
  readonly maxPages: number;

  constructor(pageSize: number, maxPages: number) {
    this.pageSize = pageSize;
    this.maxPages = maxPages;
  }

  pageOf(index: number): number {
    return Math.floor(index / this.pageSize);
  }

  get(index: number): T | undefined {
    const page = this.pages.get(this.pageOf(index));
    return page ? page[index % this.pageSize] : undefined;
  }

  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  cachedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /** Needed pages that are neither cached nor being fetched. */
  missing(needed: readonly number[]): number[] {
    return needed.filter((p) => !this.pages.has(p) && !this.inFlight.has(p));
  }

  markLoading(page: number): void {
    this.inFlight.add(page);
  }

  isLoading(page: number): boolean {
    return this.inFlight.has(page);
  }

  /** Store a fetched page (clears its loading mark). */
  set(page: number, rows: T[]): void {
    this.inFlight.delete(page);
    this.pages.set(page, rows);
  }

  /** A fetch failed or was abandoned. */
  fail(page: number): void {
    this.inFlight.delete(page);
  }

  /** Drop far-away pages; returns what was dropped. */
  prune(needed: readonly number[]): number[] {
    const drop = pagesToDrop(this.pages.keys(), needed, this.maxPages);
    for (const p of drop) this.pages.delete(p);
    return drop;
  }

  clear(): void {
    this.pages.clear();
    this.inFlight.clear();
  }

  /** Index of the first cached row matching `pred`, or null. */
  findIndex(pred: (row: T) => boolean): number | null {
    for (const p of this.cachedPages()) {
      const rows = this.pages.get(p)!;
      const i = rows.findIndex(pred);
      if (i >= 0) return p * this.pageSize + i;
    }
    return null;
  }

  /** Number of rows held (for tests / diagnostics). */
  size(): number {
    let n = 0;
    for (const rows of this.pages.values()) n += rows.length;
    return n;
  }
}
