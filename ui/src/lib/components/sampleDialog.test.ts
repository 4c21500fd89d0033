// @vitest-environment happy-dom
// The sample dialog says what a refused seed must be: the limit too.

import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";

vi.mock("../api", () => ({
  newOpId: () => "op-1",
  api: { samplePlan: vi.fn() },
}));

import { api } from "../api";
import SampleDialog from "./SampleDialog.svelte";

let mounted: { c: ReturnType<typeof mount>; target: HTMLElement }[] = [];
afterEach(() => {
  for (const m of mounted) {
    unmount(m.c);
    m.target.remove();
  }
  mounted = [];
});

const $ = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);

describe("the sample's seed", () => {
  it("above the largest one says the range it must lie in", async () => {
    vi.mocked(api.samplePlan).mockResolvedValue({
      open_path: "/tmp/a.sqlite",
      open_eac_count: 0,
      sample_path: "/tmp/eacdesk-sample.sqlite",
      sample_exists: false,
    } as never);
    const target = document.createElement("div");
    document.body.append(target);
    const c = mount(SampleDialog, { target, props: { onclose: () => {}, onloaded: () => {}, onswitched: () => {} } });
    flushSync();
    mounted.push({ c, target });
    await vi.waitFor(() => expect($("sample-problem")).toBeNull());
    const seed = $("sample-seed") as HTMLInputElement;
    seed.value = "4294967296";
    seed.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
    expect($("sample-problem")?.textContent).toBe("Seed must be a whole number from 0 to 4 294 967 295.");
    seed.value = "4294967295";
    seed.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
    expect($("sample-problem")).toBeNull();
  });
});
