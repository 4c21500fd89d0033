import { describe, expect, it, vi } from "vitest";
import { RowSource, type FetchPlan } from "./rowSource";

/** A fetch whose answers the test gives, page by page. */
function pendingFetch() {
  const calls: { offset: number; limit: number; resolve: (rows: number[]) => void; reject: (e: unknown) => void }[] = [];
  const fetch = (offset: number, limit: number) =>
    new Promise<number[]>((resolve, reject) => calls.push({ offset, limit, resolve, reject }));
  return { calls, fetch };
}

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const settle = () => new Promise((r) => setTimeout(r, 0));

function plan(fetch: FetchPlan<number>["fetch"], needed: number[], count: number): FetchPlan<number> {
  return { needed: () => needed, count: () => count, fetch };
}

describe("RowSource", () => {
  it("fetches the missing pages once and serves their rows", async () => {
    const src = new RowSource<number>(10, 4);
    const { calls, fetch } = pendingFetch();
    const on = { loaded: vi.fn(), failed: vi.fn() };
    expect(src.fetchMissing(plan(fetch, [0, 1], 25), on)).toEqual([0, 1]);
    // on their way: not asked for again
    expect(src.fetchMissing(plan(fetch, [0, 1], 25), on)).toEqual([]);
    expect(calls.map((c) => [c.offset, c.limit])).toEqual([
      [0, 10],
      [10, 10],
    ]);
    calls[0].resolve(rows(0, 10));
    await settle();
    expect(on.loaded).toHaveBeenCalledWith(false);
    expect(src.rowAt(3)).toBe(3);
    expect(src.rowAt(13)).toBeUndefined();
    expect(src.findIndex((r) => r === 7)).toBe(7);
  });

  it("reports a page shorter than the count promised (the count is stale)", async () => {
    const src = new RowSource<number>(10, 4);
    const { calls, fetch } = pendingFetch();
    const on = { loaded: vi.fn(), failed: vi.fn() };
    src.fetchMissing(plan(fetch, [0, 1], 15), on);
    calls[1].resolve(rows(10, 5)); // the last page: 5 rows expected
    await settle();
    expect(on.loaded).toHaveBeenLastCalledWith(false);
    calls[0].resolve(rows(0, 8)); // 10 expected
    await settle();
    expect(on.loaded).toHaveBeenLastCalledWith(true);
  });

  it("keeps the old rows on show during a refresh, until the needed pages are back", async () => {
    const src = new RowSource<number>(10, 4);
    const { calls, fetch } = pendingFetch();
    const on = { loaded: vi.fn(), failed: vi.fn() };
    src.fetchMissing(plan(fetch, [0, 1], 20), on);
    calls[0].resolve(rows(0, 10));
    calls[1].resolve(rows(10, 10));
    await settle();
    src.refresh();
    expect(src.rowAt(5)).toBe(5);
    expect(src.fresh(5)).toBeUndefined();
    expect(src.showsPrevious()).toBe(true);
    // the selected row is still found where it is shown (the table keeps marking it)
    expect(src.findIndex((r) => r === 15)).toBeNull();
    expect(src.indexShown((r) => r === 15)).toBe(15);
    src.fetchMissing(plan(fetch, [0, 1], 20), on);
    expect(src.rowAt(15)).toBe(15); // nothing back yet: the old rows stay
    calls[2].resolve(rows(100, 10));
    calls[3].resolve(rows(110, 10));
    await settle();
    expect(src.showsPrevious()).toBe(false);
    expect(src.rowAt(5)).toBe(105);
    expect(src.rowAt(15)).toBe(115);
    expect(src.indexShown((r) => r === 15)).toBeNull();
    expect(src.indexShown((r) => r === 115)).toBe(15);
  });

  it("drops answers to an earlier query and lets a failed page be asked again", async () => {
    const src = new RowSource<number>(10, 4);
    const { calls, fetch } = pendingFetch();
    const on = { loaded: vi.fn(), failed: vi.fn() };
    src.fetchMissing(plan(fetch, [0], 10), on);
    src.reset();
    calls[0].resolve(rows(0, 10));
    await settle();
    expect(on.loaded).not.toHaveBeenCalled();
    expect(src.rowAt(0)).toBeUndefined();
    // the new query asks for page 0 itself
    expect(src.fetchMissing(plan(fetch, [0], 10), on)).toEqual([0]);
    calls[1].reject(new Error("offline"));
    await settle();
    expect(on.failed).toHaveBeenCalledTimes(1);
    expect(src.fetchMissing(plan(fetch, [0], 10), on)).toEqual([0]);
  });

  it("keeps at most maxPages, dropping those far from the view", async () => {
    const src = new RowSource<number>(10, 2);
    const { calls, fetch } = pendingFetch();
    const on = { loaded: vi.fn(), failed: vi.fn() };
    src.fetchMissing(plan(fetch, [0, 1], 100), on);
    calls[0].resolve(rows(0, 10));
    calls[1].resolve(rows(10, 10));
    await settle();
    src.fetchMissing(plan(fetch, [5], 100), on);
    calls[2].resolve(rows(50, 10));
    await settle();
    expect(src.rowAt(55)).toBe(55);
    expect(src.rowAt(5)).toBeUndefined();
    expect(src.rowAt(15)).toBe(15);
  });
});
