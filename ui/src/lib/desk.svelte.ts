// The desk's shared state: the open database, the lists the filter offers, and
// what changed since the views loaded (named invalidation). App creates one
// Desk and hands it to the views through the component context.

import { getContext, setContext } from "svelte";
import { api } from "./api";
import { Invalidation } from "./invalidation.svelte";
import type { Choice, DbInfo } from "./types";

/**
 * What can change under the views:
 * - `eacs`: EACs were added, edited, deleted or replaced (table rows, count and totals, the shown EAC);
 * - `audit`: records were added to History;
 * - `refdata`: the reference data (beneficiary warnings and suggestions, the reference-data dialog);
 * - `count`: the filter's count is stale (the table got fewer rows than it promised);
 * - `detail`: the shown EAC must be read again (after a failed read).
 */
export const DESK_CHANGES = ["eacs", "audit", "refdata", "count", "detail"] as const;
export type DeskChange = (typeof DESK_CHANGES)[number];

export class Desk {
  db = $state<DbInfo | null>(null);
  dbLoaded = $state(false);
  /** what the store repaired or noticed when it opened the database (shown once per open) */
  dbWarnings = $state<string[]>([]);
  sources = $state<Choice[]>([]);
  destinations = $state<Choice[]>([]);
  readonly changes = new Invalidation<DeskChange>(DESK_CHANGES);
  readonly #onerror: (e: unknown) => void;

  constructor(onerror: (e: unknown) => void) {
    this.#onerror = onerror;
  }

  async loadDb(first = false): Promise<void> {
    try {
      this.db = await api.dbInfo();
      if (first) this.dbWarnings = this.db.warnings;
    } catch (e) {
      this.#onerror(e);
    } finally {
      this.dbLoaded = true;
    }
  }

  async loadDistinct(): Promise<void> {
    try {
      const [s, d] = await Promise.all([api.distinctValues("source"), api.distinctValues("destination")]);
      this.sources = s;
      this.destinations = d;
    } catch (e) {
      this.#onerror(e);
    }
  }

  /** Another database is open now. */
  opened(info: DbInfo): void {
    this.db = info;
    this.dbWarnings = info.warnings;
  }

  /** Everything may have changed (an import, a delete, another database, a change outside the app). */
  refreshAll(): void {
    this.changes.changed("eacs", "audit", "refdata");
    void this.loadDb();
    void this.loadDistinct();
  }
}

const KEY = Symbol("desk");

export function provideDesk(desk: Desk): Desk {
  return setContext(KEY, desk);
}

/** The Desk App provided (call during component initialisation). */
export function useDesk(): Desk {
  const desk = getContext<Desk | undefined>(KEY);
  if (!desk) throw new Error("useDesk() outside the desk (App provides it)");
  return desk;
}
