import { describe, expect, it } from "vitest";
import { PageCache, pagesForRange, pagesToDrop } from "./pageCache";
import { computeViewport, contentHeight, rowsPerViewport, scrollTopForRow } from "./virtual";

describe("pagesForRange", () => {
  it("covers the visible rows", () => {
    expect(pagesForRange(0, 30, 200, 100_000)).toEqual([0]);
    expect(pagesForRange(190, 220, 200, 100_000)).toEqual([0, 1]);
    expect(pagesForRange(400, 400, 200, 100_000)).toEqual([]);
  });
  it("widens by the prefetch margin and clamps to the data", () => {
    expect(pagesForRange(210, 230, 200, 100_000, 50)).toEqual([0, 1]);
    expect(pagesForRange(99_990, 100_000, 200, 100_000, 100)).toEqual([499]);
    expect(pagesForRange(0, 30, 200, 10, 100)).toEqual([0]);
    expect(pagesForRange(0, 30, 200, 0)).toEqual([]);
  });
});

describe("pagesToDrop", () => {
  it("keeps everything while under the limit", () => {
    expect(pagesToDrop([0, 1, 2], [1], 5)).toEqual([]);
  });
  it("drops the pages farthest from the needed ones", () => {
    expect(pagesToDrop([0, 1, 2, 10, 11, 50], [10, 11], 4)).toEqual([0, 50]);
    expect(pagesToDrop([0, 1, 2, 3, 4, 5, 6], [6], 3)).toEqual([0, 1, 2, 3]);
  });
  it("never drops needed pages even when they alone exceed the limit", () => {
    expect(pagesToDrop([1, 2, 3, 9], [1, 2, 3], 2)).toEqual([9]);
  });
});

describe("PageCache", () => {
  it("serves rows by absolute index", () => {
    const c = new PageCache<number>(3, 10);
    c.set(1, [30, 40, 50]);
    expect(c.get(3)).toBe(30);
    expect(c.get(5)).toBe(50);
    expect(c.get(0)).toBeUndefined();
    expect(c.findIndex((r) => r === 40)).toBe(4);
    expect(c.findIndex((r) => r === 99)).toBeNull();
  });

  it("does not refetch pages that are cached or in flight", () => {
    const c = new PageCache<number>(200, 10);
    c.set(0, []);
    c.markLoading(1);
    expect(c.missing([0, 1, 2])).toEqual([2]);
    c.fail(1);
    expect(c.missing([0, 1, 2])).toEqual([1, 2]);
  });

  it("keeps memory bounded while scrolling through 100 000 rows", () => {
    const pageSize = 200;
    const c = new PageCache<number>(pageSize, 6);
    const tops = [...Array.from({ length: 100 }, (_, i) => i * 1000), 99_970];
    for (const top of tops) {
      const needed = pagesForRange(top, top + 30, pageSize, 100_000, 100);
      for (const p of c.missing(needed)) {
        c.markLoading(p);
        c.set(p, Array.from({ length: pageSize }, (_, i) => p * pageSize + i));
      }
      c.prune(needed);
      expect(c.cachedPages().length).toBeLessThanOrEqual(6);
      for (const p of needed) expect(c.hasPage(p)).toBe(true);
    }
    expect(c.size()).toBeLessThanOrEqual(6 * pageSize);
    expect(c.get(99_999)).toBe(99_999);
    expect(c.get(0)).toBeUndefined();
  });

  it("clear forgets pages and in-flight marks", () => {
    const c = new PageCache<number>(2, 4);
    c.set(0, [1, 2]);
    c.markLoading(1);
    c.clear();
    expect(c.cachedPages()).toEqual([]);
    expect(c.missing([0, 1])).toEqual([0, 1]);
  });
});

describe("virtual viewport", () => {
  it("renders the visible rows plus overscan", () => {
    const v = computeViewport(320, 300, 32, 100_000, 5);
    // rows 10..19.375 visible
    expect(v.first).toBe(5);
    expect(v.last).toBe(25);
    expect(v.offsetTop).toBe(5 * 32);
    expect(v.contentHeight).toBe(3_200_000);
  });

  it("clamps to the data", () => {
    const v = computeViewport(0, 300, 32, 3, 5);
    expect(v.first).toBe(0);
    expect(v.last).toBe(3);
    expect(computeViewport(0, 300, 32, 0).last).toBe(0);
  });

  it("compresses very long lists but still reaches the last row", () => {
    const count = 1_000_000;
    const max = 1_000_000;
    const vh = 320;
    const h = contentHeight(count, 32, max);
    expect(h).toBe(max);
    const bottom = computeViewport(h - vh, vh, 32, count, 0, max);
    expect(bottom.last).toBe(count);
    const top = computeViewport(0, vh, 32, count, 0, max);
    expect(top.first).toBe(0);
    // the row drawn first sits at the top of the viewport
    expect(top.offsetTop).toBe(0);
  });

  it("scrolls the minimum to show a row", () => {
    // viewport shows rows 10..19 (scrollTop 320, 320px tall, 32px rows)
    expect(scrollTopForRow(12, 320, 320, 32, 1000)).toBe(320);
    expect(scrollTopForRow(20, 320, 320, 32, 1000)).toBe(21 * 32 - 320);
    expect(scrollTopForRow(9, 320, 320, 32, 1000)).toBe(9 * 32);
    expect(scrollTopForRow(0, 320, 320, 32, 1000)).toBe(0);
  });

  it("counts rows per viewport", () => {
    expect(rowsPerViewport(320, 32)).toBe(10);
    expect(rowsPerViewport(10, 32)).toBe(1);
  });
});
