import { describe, expect, it, vi } from "vitest";
import { Invalidation } from "./invalidation.svelte";

type Topic = "eacs" | "audit" | "refdata";
const TOPICS: readonly Topic[] = ["eacs", "audit", "refdata"];

describe("Invalidation", () => {
  it("counts the changes of the named topics only", () => {
    const inv = new Invalidation(TOPICS);
    expect(inv.track("eacs", "audit")).toBe(0);
    inv.changed("eacs");
    inv.changed("refdata");
    expect(inv.track("eacs")).toBe(1);
    expect(inv.track("audit")).toBe(0);
    expect(inv.track("eacs", "audit")).toBe(1);
    // a topic named twice in one change counts once
    inv.changed("audit", "audit");
    expect(inv.track("audit")).toBe(1);
  });

  it("calls listeners once per change until unsubscribed", () => {
    const inv = new Invalidation(TOPICS);
    const f = vi.fn();
    const off = inv.on("eacs", f);
    inv.on("refdata", f);
    inv.changed("audit");
    expect(f).not.toHaveBeenCalled();
    inv.changed("eacs", "refdata");
    expect(f).toHaveBeenCalledTimes(1);
    off();
    inv.changed("eacs");
    expect(f).toHaveBeenCalledTimes(1);
  });
});
