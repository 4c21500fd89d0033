// @vitest-environment happy-dom
// The summary mounted as App shows it: an empty summary says what to do.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  api: { summary: vi.fn() },
}));

import { api } from "../api";
import type { SummaryReport } from "../types";
import SummaryView from "./SummaryView.svelte";
import { $, cleanup, show, testDesk } from "../testMount";

afterEach(cleanup);

describe("the summary", () => {
  it("says, when the filter holds no quantity, that another filter would", async () => {
    vi.mocked(api.summary).mockResolvedValue({ unit: "MWh", groups: [], totals: [], total: { total: "0", display: "0", unit: "MWh" } } as unknown as SummaryReport);
    const root = show(SummaryView, { onclose: () => {} }, testDesk());
    await vi.waitFor(() => expect($(root, "summary-empty")).not.toBeNull());
    expect($(root, "summary-empty")?.textContent).toContain("change it, or clear it");
  });
});
