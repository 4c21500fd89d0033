// The virtualized table's row source: the rows of one query (filter + sort),
// fetched page by page (browse_page) into a PageCache. A refresh keeps the
// old rows on show until the new pages arrive (no flicker); a new query
// forgets them. Answers to fetches of an earlier query or refresh are dropped.

import { PageCache } from "./pageCache";

export interface FetchPlan<T> {
  /** the pages the view needs now (read again when a page arrives) */
  needed: () => readonly number[];
  /** how many rows the query has (read when a page arrives) */
  count: () => number;
  /** fetch `limit` rows from `offset` */
  fetch: (offset: number, limit: number) => Promise<T[]>;
}

export interface FetchEvents {
  /** a page arrived; `short` when it held fewer rows than the count promised (the count is stale) */
  loaded: (short: boolean) => void;
  failed: (e: unknown) => void;
}

export class RowSource<T> {
  #cache: PageCache<T>;
  /** pages of the previous fetch, shown while a refresh is under way */
  #previous: PageCache<T> | null = null;
  #generation = 0;
  readonly pageSize: number;
  readonly maxPages: number;

  constructor(pageSize: number, maxPages: number) {
    this.pageSize = pageSize;
    this.maxPages = maxPages;
    this.#cache = new PageCache<T>(pageSize, maxPages);
  }

  /** The row at `index`: fetched for the current query, else still shown from before a refresh. */
  rowAt(index: number): T | undefined {
    return this.#cache.get(index) ?? this.#previous?.get(index);
  }

  /** The row at `index` if fetched since the last refresh. */
  fresh(index: number): T | undefined {
    return this.#cache.get(index);
  }

  /** Index of the first fetched row matching `pred`, or null. */
  findIndex(pred: (row: T) => boolean): number | null {
    return this.#cache.findIndex(pred);
  }

  /** Index of the first row on show matching `pred` (fetched, else kept from before a refresh), or null. */
  indexShown(pred: (row: T) => boolean): number | null {
    return this.#cache.findIndex(pred) ?? this.#previous?.findIndex(pred) ?? null;
  }

  /** Whether old rows are still on show during a refresh. */
  showsPrevious(): boolean {
    return this.#previous !== null;
  }

  /** A new query: forget every row. */
  reset(): void {
    this.#cache.clear();
    this.#previous = null;
    this.#generation++;
  }

  /** The same query again: fetch afresh, showing the old rows meanwhile. */
  refresh(): void {
    this.#previous = this.#cache;
    this.#cache = new PageCache<T>(this.pageSize, this.maxPages);
    this.#generation++;
  }

  /** Fetch the needed pages that are neither held nor on their way. Returns the pages asked for. */
  fetchMissing(plan: FetchPlan<T>, on: FetchEvents): number[] {
    const gen = this.#generation;
    const pages = this.#cache.missing(plan.needed());
    for (const p of pages) {
      this.#cache.markLoading(p);
      plan.fetch(p * this.pageSize, this.pageSize).then(
        (rows) => {
          if (gen !== this.#generation) return;
          const needed = plan.needed();
          this.#cache.set(p, rows);
          this.#cache.prune(needed);
          if (this.#previous && this.#cache.missing(needed).length === 0) this.#previous = null;
          const expected = Math.min(this.pageSize, Math.max(0, plan.count() - p * this.pageSize));
          on.loaded(rows.length < expected);
        },
        (e) => {
          if (gen !== this.#generation) return;
          this.#cache.fail(p);
          on.failed(e);
        },
      );
    }
    return pages;
  }
}
