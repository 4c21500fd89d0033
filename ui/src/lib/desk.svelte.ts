// The desk's shared state: the open database, the lists the filter offers,
// the filter and sort the table shows, the selected EAC and its detail, the
// count and totals of the filter, and what changed since the views loaded
// (named invalidation). App creates one Desk and hands it to the views through
// the component context; views read this state here and change it through the
// methods, never through copies of their own.
//
// No effects: a method that changes the filter, the sort or the selection says
// so (`changes.changed("filter" | "sort")`), and the loaders below listen to
// the topics they depend on. The store works (and is tested) without a window.

import { markOnce } from "./marks";
import { getContext, setContext } from "svelte";
import { api } from "./api";
import { friendlyError, type FriendlyError } from "./errors";
import {
  activeFilterCount,
  emptyFilterState,
  filterProblems,
  filterRefused,
  isEmptyFilter,
  nextSort,
  toEacFilter,
  type FilterState,
} from "./filters";
import { Invalidation } from "./invalidation.svelte";
import { settingsStore } from "./settingsStore.svelte";
import { NO_ROWS, bulkTarget, cleared, isSelected, type BulkTarget, type RowSelection } from "./rowSelection";
import type {
  BrowseSummary,
  Choice,
  DbInfo,
  EacDetail,
  EacFilter,
  FieldMatch,
  LoadedSettings,
  SortField,
  SortSpec,
} from "./types";
import { defaultLayout, type ColumnLayout } from "./columns";
import {
  cleanViewName,
  defaultViewState,
  parseViewState,
  renamedView,
  sameMatch,
  sameName,
  withView,
  withoutView,
  VIEW_STATE_VERSION,
  type DeskViewState,
  type SavedView,
} from "./viewState";
import { unsavedWhat, type EditPart } from "./closing";
import type { DetailTab } from "./uiTypes";
import { DEFAULT_UNIT } from "./units";
import type { EnergyUnit } from "./types";

/**
 * What can change under the views:
 * - `eacs`: EACs were added, edited, deleted or replaced (table rows, count and totals, the shown EAC);
 * - `audit`: records were added to History;
 * - `refdata`: the reference data (beneficiary warnings and suggestions, the reference-data dialog);
 * - `count`: the filter's count is stale (the table got fewer rows than it promised);
 * - `detail`: the shown EAC must be read again (after a failed read);
 * - `filter`: the filter in effect changed (the table starts afresh at the top; count and totals reload);
 * - `sort`: the table's order changed (the table starts afresh at the top).
 */
export const DESK_CHANGES = ["eacs", "audit", "refdata", "count", "detail", "filter", "sort"] as const;
export type DeskChange = (typeof DESK_CHANGES)[number];

/** The search waits this long after the last key before it filters (Enter: at once). */
export const SEARCH_DELAY_MS = 250;
/** Moving to another EAC waits this long before reading it (arrow keys held down read only the last). */
export const DETAIL_DELAY_MS = 80;
export const DEFAULT_SORT: SortSpec = { field: "period_start", descending: true };
/** Remembered state is written this long after the last change (a drag writes once). */
export const PERSIST_DELAY_MS = 400;

/** Cell filters whose "filter by" sets a field of the filter bar instead (it shows them). */
const BAR_FIELDS: Partial<Record<FieldMatch["field"], keyof FilterState>> = {
  technology: "technology",
  source: "source",
  destination: "destination",
  beneficiary_type: "beneficiary_type",
  retired: "retired",
};

export class Desk {
  db = $state<DbInfo | null>(null);
  dbLoaded = $state(false);
  /** what the store repaired or noticed when it opened the database (shown once per open) */
  dbWarnings = $state<string[]>([]);
  sources = $state<Choice[]>([]);
  destinations = $state<Choice[]>([]);
  readonly changes = new Invalidation<DeskChange>(DESK_CHANGES);
  readonly #onerror: (e: unknown) => void;

  // ---- filter ----------------------------------------------------------------
  /** the filter bar's fields as typed (the search before its delay) */
  #input = $state<FilterState>(emptyFilterState());
  /** the search in effect (typed text, once the user paused or pressed Enter) */
  #search = $state("");
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** identity of the filter in effect: `filter` changes only when this does */
  /** "filter by / exclude this value" from the table's cells */
  #matches = $state.raw<FieldMatch[]>([]);
  #filterKey = $derived(JSON.stringify(toEacFilter({ ...this.#input, search: this.#search }, this.#matches)));
  #filter: EacFilter = $derived(JSON.parse(this.#filterKey));
  #sort = $state<SortSpec>(DEFAULT_SORT);
  /** the unit quantities and totals are shown in (the footer, the Quantity column, the summary) */
  #displayUnit = $state<EnergyUnit>(DEFAULT_UNIT);

  // ---- remembered per database (the settings file) ---------------------------------
  #layout = $state.raw<ColumnLayout>(defaultLayout());
  #pane = $state<number | null>(null);
  #views = $state.raw<SavedView[]>([]);
  /** the database whose state is loaded (null: not yet: nothing is written meanwhile) */
  #statePath: string | null = null;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  #restoreSeq = 0;

  // ---- selection ---------------------------------------------------------------
  #selectedId = $state<string | null>(null);
  /** rows picked in the table (Shift/Ctrl-click, Shift+arrows, Ctrl+A) */
  #rows = $state.raw<RowSelection>(NO_ROWS);
  #tab = $state<DetailTab>("details");
  /** the parts of the selected EAC holding edits not saved yet */
  #unsaved = $state.raw<readonly EditPart[]>([]);

  // ---- loaded for the filter and the selection -----------------------------------
  #summary = $state<BrowseSummary | null>(null);
  #summaryLoading = $state(false);
  #summarySeq = 0;
  #summaryQueued = false;
  #detail = $state<EacDetail | null>(null);
  #detailLoading = $state(false);
  #detailError = $state<FriendlyError | null>(null);
  #detailSeq = 0;
  #detailTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(onerror: (e: unknown) => void) {
    this.#onerror = onerror;
    for (const t of ["filter", "eacs", "count"] as const) this.changes.on(t, () => this.#reloadSummary());
    for (const t of ["eacs", "detail"] as const) this.changes.on(t, () => this.#loadDetail());
  }

  /** Show `e` to the user (the banner App shows; a cancelled operation shows nothing). */
  reportError(e: unknown): void {
    this.#onerror(e);
  }

  /** The window is up: read the database, the filter's lists, the count and totals. */
  start(): void {
    void this.loadDb(true);
    void this.loadDistinct();
    this.#reloadSummary();
  }

  /** The window goes: no timer of the desk fires any more. */
  stop(): void {
    clearTimeout(this.#searchTimer);
    clearTimeout(this.#detailTimer);
    this.#flushPersist();
    this.#detailSeq++;
    this.#summarySeq++;
  }

  // ---- filter & sort -----------------------------------------------------------

  /** The filter bar's fields as typed. */
  get filterInput(): Readonly<FilterState> {
    return this.#input;
  }

  /**
   * The filter bar's fields for form controls to bind to: reading one gives
   * what is typed, writing one is `setFilter` of that field.
   */
  readonly filterFields: FilterState = this.#fields();

  #fields(): FilterState {
    const fields = {} as FilterState;
    for (const k of Object.keys(emptyFilterState()) as (keyof FilterState)[]) {
      Object.defineProperty(fields, k, {
        enumerable: true,
        get: () => this.#input[k],
        set: (v: string) => this.setFilter({ [k]: v }),
      });
    }
    return fields;
  }

  /** The filter in effect (the table, the count and totals, the dialogs' "current filter"). */
  get filter(): EacFilter {
    return this.#filter;
  }

  get sort(): SortSpec {
    return this.#sort;
  }

  /** The display unit (MWh unless chosen): totals are converted to it exactly. */
  get displayUnit(): EnergyUnit {
    return this.#displayUnit;
  }

  set displayUnit(unit: EnergyUnit) {
    this.#displayUnit = unit;
  }

  /** Whether any filter is in effect. */
  get filtered(): boolean {
    return !isEmptyFilter(this.#filter);
  }

  /** What is wrong with the typed fields (a half-typed date), for the filter bar. */
  get filterProblems(): string[] {
    return filterProblems(this.#input);
  }

  /**
   * The filter bar shows a problem, or the filter in effect is one the
   * backend refuses: the actions that act on the filter's EACs (export, pack,
   * mark verified, delete, changes to many EACs) are off until it is fixed.
   */
  get filterBlocked(): boolean {
    return filterProblems(this.#input).length > 0 || filterRefused(this.#filter);
  }

  /** How many filters "Clear filters (n)" clears: those in effect plus a search still waiting. */
  get activeFilterCount(): number {
    const waiting = this.#input.search.trim() !== "" && !this.#filter.search ? 1 : 0;
    return activeFilterCount(this.#filter) + waiting;
  }

  /**
   * Change some of the filter bar's fields. Everything but the search takes
   * effect at once; the search after the user paused typing (`SEARCH_DELAY_MS`).
   */
  setFilter(patch: Partial<FilterState>): void {
    this.#applying(() => {
      Object.assign(this.#input, patch);
    });
    if (patch.search !== undefined) {
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => this.searchNow(), SEARCH_DELAY_MS);
    }
  }

  /** Search for what is typed now, without waiting (Enter in the search box). */
  searchNow(): void {
    clearTimeout(this.#searchTimer);
    this.#applying(() => {
      this.#search = this.#input.search;
    });
  }

  /** Back to no filter at all. */
  clearFilter(): void {
    clearTimeout(this.#searchTimer);
    this.#applying(() => {
      this.#input = emptyFilterState();
      this.#search = "";
      this.#matches = [];
    });
  }

  /** The cell filters in effect ("filter by / exclude this value"). */
  get matches(): readonly FieldMatch[] {
    return this.#matches;
  }

  /**
   * "Filter by this value" (`exclude` false) or "Exclude this value" on a
   * table cell. A value the filter bar has a field for goes there (it shows
   * and clears it); others, exclusions and "missing" become a cell filter.
   * The opposite term for the same value goes.
   */
  filterByCell(m: FieldMatch): void {
    const opposite = { ...m, exclude: !m.exclude };
    const bar = BAR_FIELDS[m.field];
    this.#applying(() => {
      const rest = this.#matches.filter((x) => !sameMatch(x, opposite) && !sameMatch(x, m));
      if (bar && !m.exclude && m.value !== null) {
        this.#matches = rest;
        Object.assign(this.#input, { [bar]: m.value });
      } else {
        if (bar && m.exclude && this.#input[bar] === m.value) Object.assign(this.#input, { [bar]: "" });
        this.#matches = [...rest, { ...m }];
      }
    });
  }

  /** Takes one cell filter away (its × in the filter bar). */
  removeMatch(m: FieldMatch): void {
    this.#applying(() => {
      this.#matches = this.#matches.filter((x) => !sameMatch(x, m));
    });
  }

  /**
   * Clicking a column header: the same column turns the order round, another sorts ascending.
   * Picked rows stay picked (the same EACs); a Shift range starts afresh.
   */
  sortBy(field: SortField): void {
    this.#setSort(nextSort(this.#sort, field));
  }

  #setSort(sort: SortSpec): void {
    if (sort.field === this.#sort.field && sort.descending === this.#sort.descending) return;
    this.#sort = sort;
    this.#rows = { ...this.#rows, anchor: null };
    this.changes.changed("sort");
    // a click, not a stream of changes: written at once (a close right after keeps it)
    this.#flushPersist();
  }

  /**
   * Runs `change`; says "filter" when the filter in effect is another one
   * afterwards. Picked rows are then let go: "all in the filter" would mean
   * other EACs now, and rows the new filter hides must not be acted on unseen.
   */
  #applying(change: () => void): void {
    const before = this.#filterKey;
    change();
    if (this.#filterKey !== before) {
      this.#rows = NO_ROWS;
      this.changes.changed("filter");
    }
    this.#persistSoon();
  }

  // ---- columns, pane, saved views (remembered per database) ------------------------

  /** The table's columns: order, widths, hidden. */
  get layout(): ColumnLayout {
    return this.#layout;
  }

  setLayout(layout: ColumnLayout): void {
    this.#layout = layout;
    this.#persistSoon();
  }

  /** The detail pane's width as the user left it (null: the default). */
  get paneWidth(): number | null {
    return this.#pane;
  }

  setPaneWidth(width: number): void {
    this.#pane = Math.round(width);
    this.#persistSoon();
  }

  /** The saved views of this database, by name. */
  get views(): readonly SavedView[] {
    return this.#views;
  }

  /** Saves the filter, sort and columns in effect as view `name` (replacing one of that name). */
  saveView(name: string): void {
    this.#views = withView(this.#views, { name: cleanViewName(name), ...this.#shown() });
    this.#flushPersist();
  }

  /** Shows saved view `name`: its filter, sort and columns. */
  applyView(name: string): boolean {
    const v = this.#views.find((x) => sameName(x.name, name));
    if (!v) return false;
    this.#show(v);
    this.#flushPersist();
    return true;
  }

  renameView(from: string, to: string): void {
    this.#views = renamedView(this.#views, from, to);
    this.#flushPersist();
  }

  deleteView(name: string): void {
    this.#views = withoutView(this.#views, name);
    this.#flushPersist();
  }

  /** What a saved view holds, as shown now (copies). */
  #shown(): Omit<SavedView, "name"> {
    return {
      filter: { ...this.#input, search: this.#search },
      matches: this.#matches.map((m) => ({ ...m })),
      sort: { ...this.#sort },
      columns: structuredClone($state.snapshot(this.#layout)) as ColumnLayout,
    };
  }

  /** Shows the filter, sort and columns of a saved view or of the remembered state (copies). */
  #show(view: Omit<SavedView, "name">): void {
    clearTimeout(this.#searchTimer);
    this.#applying(() => {
      this.#input = { ...view.filter };
      this.#search = view.filter.search;
      this.#matches = view.matches.map((m) => ({ ...m }));
    });
    this.#setSort({ ...view.sort });
    this.#layout = structuredClone(view.columns);
  }

  /** What is remembered for the open database now. */
  viewState(): DeskViewState {
    return {
      v: VIEW_STATE_VERSION,
      ...this.#shown(),
      pane: this.#pane,
      views: structuredClone($state.snapshot(this.#views)) as SavedView[],
    };
  }

  /**
   * Reads the remembered state of database `path` (defaults when there is none or it is not valid) and shows it;
   * `reading`: a read of the settings already under way (else one is made).
   */
  async restoreState(path: string, reading?: Promise<LoadedSettings>): Promise<void> {
    const seq = ++this.#restoreSeq;
    this.#flushPersist();
    this.#statePath = null;
    let state = defaultViewState();
    try {
      const loaded = await (reading ?? settingsStore.read());
      state = parseViewState(loaded.settings.databases[path]);
    } catch (e) {
      this.#onerror(e);
    }
    if (seq !== this.#restoreSeq) return;
    this.#show(state);
    this.#pane = state.pane;
    this.#views = state.views;
    this.#statePath = path;
  }

  /**
   * Writes the remembered state after a pause (`PERSIST_DELAY_MS`): for changes that come as a stream (typing in
   * the filter bar, dragging a column or the pane's edge). Single actions (a sort, a saved view) are written at
   * once (`#flushPersist`), so closing the window right after one keeps it. Each change of a stream is also handed
   * to the app at once (`stage_view_state`, no file written), which writes it if the window closes in the pause.
   */
  #persistSoon(): void {
    const path = this.#statePath;
    if (path === null) return;
    clearTimeout(this.#persistTimer);
    this.#persistTimer = setTimeout(() => this.#flushPersist(), PERSIST_DELAY_MS);
    api.stageViewState({ database: path, state: this.viewState() }).catch(() => {
      /* no app to hand it to (a browser preview): the write after the pause still comes */
    });
  }

  #flushPersist(): void {
    clearTimeout(this.#persistTimer);
    this.#persistTimer = undefined;
    const path = this.#statePath;
    if (path === null) return;
    api.settingsUpdate({ database: path, database_state: this.viewState() }).catch(() => {
      /* the settings could not be written: the state is kept for this session only */
    });
  }

  // ---- picked rows ---------------------------------------------------------------

  /** The rows picked in the table (the table changes them through `pickRows`). */
  get rows(): RowSelection {
    return this.#rows;
  }

  pickRows(sel: RowSelection): void {
    this.#rows = sel;
  }

  /** Escape or "Clear": no rows picked; the EAC shown stays shown. */
  clearRows(): void {
    this.#rows = cleared(this.#rows);
  }

  /** Whether the table marks the row of EAC `id` as selected. */
  rowSelected(id: string): boolean {
    return isSelected(this.#rows, id, this.#selectedId);
  }

  /** What a bulk action acts on now: the picked rows, else every EAC of the filter. */
  get bulkTarget(): BulkTarget {
    return bulkTarget(this.#rows, this.#filter, this.#summary?.count ?? null);
  }

  // ---- selection & detail --------------------------------------------------------

  /** The EAC shown in the detail pane (and marked in the table), if any. */
  get selectedId(): string | null {
    return this.#selectedId;
  }

  get tab(): DetailTab {
    return this.#tab;
  }

  /** Whether the detail pane holds edits not saved yet (beneficiaries, missing fields, emission factors). */
  get unsavedEdits(): boolean {
    return this.#unsaved.length > 0;
  }

  /** The parts of the selected EAC whose edits are not saved. */
  get unsavedParts(): readonly EditPart[] {
    return this.#unsaved;
  }

  /** What holds unsaved edits, in words ("the beneficiaries and the emission factors"). */
  get unsavedWhat(): string {
    return unsavedWhat(this.#unsaved);
  }

  /** The EAC whose edits are not saved, if any. */
  get unsavedEac(): string | null {
    return this.unsavedEdits ? this.#selectedId : null;
  }

  /**
   * The EAC whose edits are not saved, named as the detail pane's heading
   * and the table name it: its EAC number, else its CDS id (null: none).
   * The questions about unsaved edits use it; an id like S1-0000008 was
   * not what the user saw on the EAC they edited.
   */
  get unsavedEacName(): string | null {
    const id = this.unsavedEac;
    if (id === null) return null;
    const d = this.#detail;
    return d?.cds_eac_id === id && d.eac_number ? d.eac_number : id;
  }

  /** Showing EAC `id` would throw away unsaved edits of another EAC. */
  wouldDiscardEdits(id: string): boolean {
    return this.unsavedEdits && this.#selectedId !== null && id !== this.#selectedId;
  }

  /** Show EAC `id` (or none) in the detail pane; the table marks its row. */
  select(id: string | null): void {
    if (id === this.#selectedId) return;
    this.#selectedId = id;
    this.#loadDetail();
  }

  setTab(tab: DetailTab): void {
    this.#tab = tab;
  }

  /**
   * A part of the detail pane reports whether it holds unsaved edits (false:
   * they were saved or thrown away, or the part is gone). Each part speaks
   * for itself only: saving the emission factors leaves unsaved beneficiary
   * edits unsaved.
   */
  setUnsavedEdits(dirty: boolean, part: EditPart = "beneficiaries"): void {
    const has = this.#unsaved.includes(part);
    if (dirty && !has) this.#unsaved = [...this.#unsaved, part];
    else if (!dirty && has) this.#unsaved = this.#unsaved.filter((p) => p !== part);
  }

  /** The user agreed to throw away every unsaved edit (or they are gone with their EAC or database). */
  discardEdits(): void {
    if (this.#unsaved.length > 0) this.#unsaved = [];
  }

  /** Show EAC `id` alone: the filter becomes a search for it, its details tab opens. */
  showOnly(id: string): void {
    clearTimeout(this.#searchTimer);
    this.#applying(() => {
      this.#input = { ...emptyFilterState(), search: id };
      this.#search = id;
      this.#matches = [];
    });
    this.select(id);
    this.#tab = "details";
  }

  /**
   * EACs were removed or replaced (named in `ids`, or more than those when
   * `all` exceeds their number): the selected one may be gone, and its unsaved edits with it.
   */
  forgetIfAmong(ids: readonly string[], all: number): void {
    const id = this.#selectedId;
    if (id && (ids.includes(id) || all > ids.length)) {
      this.select(null);
      this.discardEdits();
    }
  }

  /** Count and totals of the filter in effect (null until counted, or when counting failed). */
  get summary(): BrowseSummary | null {
    return this.#summary;
  }

  get summaryLoading(): boolean {
    return this.#summaryLoading;
  }

  /** The selected EAC as last read (kept on show while it is read again). */
  get detail(): EacDetail | null {
    return this.#detail;
  }

  get detailLoading(): boolean {
    return this.#detailLoading;
  }

  /** Why the selected EAC could not be read. */
  get detailError(): FriendlyError | null {
    return this.#detailError;
  }

  /** Count and totals of the filter in effect, once per turn however many reasons there were. */
  #reloadSummary(): void {
    if (this.#summaryQueued) return;
    this.#summaryQueued = true;
    queueMicrotask(() => {
      this.#summaryQueued = false;
      this.#fetchSummary();
    });
  }

  #fetchSummary(): void {
    const seq = ++this.#summarySeq;
    const f = $state.snapshot(this.#filter) as EacFilter;
    if (filterRefused(f)) {
      // The backend refuses it (the filter bar says why): nothing matches.
      this.#summary = { count: 0, totals: [] };
      this.#summaryLoading = false;
      return;
    }
    this.#summaryLoading = true;
    api
      .browseSummary(f)
      .then(
        (s) => {
          if (seq !== this.#summarySeq) return;
          this.#summary = s;
          markOnce("eacdesk:first-count");
        },
        (e) => {
          if (seq !== this.#summarySeq) return;
          this.#summary = null;
          this.#onerror(e);
        },
      )
      .finally(() => {
        if (seq === this.#summarySeq) this.#summaryLoading = false;
      });
  }

  /** Read the selected EAC (again): at once for the one shown, a moment later for another. */
  #loadDetail(): void {
    const seq = ++this.#detailSeq;
    clearTimeout(this.#detailTimer);
    const id = this.#selectedId;
    if (!id) {
      this.#detail = null;
      this.#detailError = null;
      this.#detailLoading = false;
      return;
    }
    const same = this.#detail?.cds_eac_id === id;
    this.#detailLoading = true;
    this.#detailTimer = setTimeout(
      () => {
        api
          .eacDetail(id)
          .then(
            (d) => {
              if (seq !== this.#detailSeq) return;
              this.#detail = d;
              this.#detailError = null;
            },
            (e) => {
              if (seq !== this.#detailSeq) return;
              this.#detailError = friendlyError(e);
              if (this.#detail?.cds_eac_id !== id) this.#detail = null;
            },
          )
          .finally(() => {
            if (seq === this.#detailSeq) this.#detailLoading = false;
          });
      },
      same ? 0 : DETAIL_DELAY_MS,
    );
  }

  async loadDb(first = false): Promise<void> {
    // the state the database was left in is read alongside (at start-up, the same read as the theme's)
    const reading = first ? settingsStore.read() : undefined;
    reading?.catch(() => {}); // a failed read is reported by restoreState, once the database is known
    try {
      this.db = await api.dbInfo();
      if (reading) {
        this.dbWarnings = this.db.warnings;
        // the table starts with the state the database was left in
        await this.restoreState(this.db.path, reading);
      }
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

  /** Another database is open now: nothing selected, no filter, everything reloads. */
  opened(info: DbInfo): void {
    this.db = info;
    this.dbWarnings = info.warnings;
    this.select(null);
    this.#rows = NO_ROWS;
    this.discardEdits();
    void this.restoreState(info.path);
    this.clearFilter();
    this.refreshAll();
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

/** The context that holds `desk`, for `mount(…, { context })` (a view mounted on its own, as in tests). */
export function deskContext(desk: Desk): Map<symbol, Desk> {
  return new Map([[KEY, desk]]);
}

/** The Desk App provided (call during component initialisation). */
export function useDesk(): Desk {
  const desk = getContext<Desk | undefined>(KEY);
  if (!desk) throw new Error("useDesk() outside the desk (App provides it)");
  return desk;
}
