// Named invalidation: instead of one counter per thing to reload, the app
// says what changed ("eacs", "audit", "refdata", ...) and every view that
// depends on it reloads. A view reads `track(...)` inside an effect or a
// $derived (it reruns when one of those topics changes), or subscribes with
// `on(...)` when what it does is not a reload (the table keeps its old rows
// while it fetches new ones).

export class Invalidation<T extends string> {
  #versions: Record<T, number>;
  #listeners = new Map<T, Set<() => void>>();

  constructor(topics: readonly T[]) {
    const start = {} as Record<T, number>;
    for (const t of topics) start[t] = 0;
    this.#versions = $state(start);
  }

  /**
   * How often any of `topics` has changed so far. Read inside an effect or a
   * $derived, it makes that rerun when one of them changes.
   */
  track(...topics: T[]): number {
    let n = 0;
    for (const t of topics) n += this.#versions[t];
    return n;
  }

  /** Say that `topics` changed: views that track them reload, listeners run (once each). */
  changed(...topics: T[]): void {
    const run = new Set<() => void>();
    for (const t of new Set(topics)) {
      this.#versions[t]++;
      for (const f of this.#listeners.get(t) ?? []) run.add(f);
    }
    for (const f of run) f();
  }

  /** Run `f` whenever `topic` changes; returns the unsubscribe function. */
  on(topic: T, f: () => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    set.add(f);
    return () => {
      set.delete(f);
    };
  }
}
