// @vitest-environment happy-dom
// The sample dialog says what a refused seed must be: the limit too.

import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { samplePlan: vi.fn() },
}));

import { api } from "../api";
import SampleDialog from "./SampleDialog.svelte";
import { $, cleanup, show, type } from "../testMount";

afterEach(cleanup);

describe("the sample's seed", () => {
  it("above the largest one says the range it must lie in", async () => {
    vi.mocked(api.samplePlan).mockResolvedValue({
      open_path: "/tmp/a.sqlite",
      open_eac_count: 0,
      sample_path: "/tmp/eacdesk-sample.sqlite",
      sample_exists: false,
    } as never);
    const root = show(SampleDialog, { onclose: () => {}, onloaded: () => {}, onswitched: () => {} });
    await vi.waitFor(() => expect($(root, "sample-problem")).toBeNull());
    type(root, "sample-seed", "4294967296");
    expect($(root, "sample-problem")?.textContent).toBe("Seed must be a whole number from 0 to 4 294 967 295.");
    type(root, "sample-seed", "4294967295");
    expect($(root, "sample-problem")).toBeNull();
  });
});
