import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("./api", () => ({
  api: {
    dbInfo: vi.fn(),
    distinctValues: vi.fn(),
  },
}));

import { api } from "./api";
import { Desk } from "./desk.svelte";
import type { DbInfo } from "./types";

const info = (warnings: string[]) => ({ path: "/tmp/a.db", eac_count: 3, warnings }) as unknown as DbInfo;

describe("Desk", () => {
  beforeEach(() => {
    vi.mocked(api.dbInfo).mockReset();
    vi.mocked(api.distinctValues).mockReset();
  });

  it("shows the warnings of the first load only", async () => {
    vi.mocked(api.dbInfo).mockResolvedValue(info(["repaired"]));
    const desk = new Desk(() => {});
    await desk.loadDb(true);
    expect(desk.dbWarnings).toEqual(["repaired"]);
    expect(desk.dbLoaded).toBe(true);
    desk.dbWarnings = [];
    await desk.loadDb();
    expect(desk.dbWarnings).toEqual([]);
    expect(desk.db?.eac_count).toBe(3);
  });

  it("reports a failed load and still counts as loaded", async () => {
    vi.mocked(api.dbInfo).mockRejectedValue(new Error("gone"));
    const seen: unknown[] = [];
    const desk = new Desk((e) => seen.push(e));
    await desk.loadDb(true);
    expect(desk.dbLoaded).toBe(true);
    expect(desk.db).toBeNull();
    expect(seen).toHaveLength(1);
  });

  it("refreshAll says EACs, History and reference data changed and reloads the lists", async () => {
    vi.mocked(api.dbInfo).mockResolvedValue(info([]));
    vi.mocked(api.distinctValues).mockImplementation(async (field) => [{ value: field, label: field, count: 1 }] as never);
    const desk = new Desk(() => {});
    const rows = vi.fn();
    desk.changes.on("eacs", rows);
    desk.refreshAll();
    expect(rows).toHaveBeenCalledTimes(1);
    expect(desk.changes.track("eacs")).toBe(1);
    expect(desk.changes.track("audit")).toBe(1);
    expect(desk.changes.track("refdata")).toBe(1);
    // a recount or a retry is not "everything"
    expect(desk.changes.track("count", "detail")).toBe(0);
    await vi.waitFor(() => expect(desk.sources).toHaveLength(1));
    expect(desk.sources[0].value).toBe("source");
    expect(desk.destinations[0].value).toBe("destination");
    expect(api.dbInfo).toHaveBeenCalledTimes(1);
  });

  it("takes over another database's info and warnings", () => {
    const desk = new Desk(() => {});
    desk.opened(info(["new one"]));
    expect(desk.db?.path).toBe("/tmp/a.db");
    expect(desk.dbWarnings).toEqual(["new one"]);
  });
});
