import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("./api", () => ({
  newOpId: vi.fn(() => "op-1"),
  api: { cancelOperation: vi.fn(async () => undefined) },
}));

import { api } from "./api";
import { Operation, progress, recordProgress } from "./progressStore.svelte";

describe("Operation", () => {
  beforeEach(() => {
    vi.mocked(api.cancelOperation).mockClear();
  });

  it("runs with a fresh op id, follows its progress, then forgets it", async () => {
    const op = new Operation();
    let seenRunning = false;
    const result = await op.run(async (id) => {
      expect(id).toBe("op-1");
      seenRunning = op.running;
      recordProgress({ op_id: id, phase: "import", done: 5, total: 10, step: null, steps: null });
      expect(op.event).toEqual({ op_id: "op-1", phase: "import", done: 5, total: 10, step: null, steps: null });
      return 42;
    });
    expect(seenRunning).toBe(true);
    expect(result).toBe(42);
    expect(op.running).toBe(false);
    expect(op.error).toBeNull();
    expect(progress["op-1"]).toBeUndefined();
  });

  it("turns a rejection into a friendly error and keeps the raw one", async () => {
    const op = new Operation();
    const raw = { code: "validation", message: "bad", details: { violations: [] } };
    const result = await op.run(async () => {
      throw raw;
    });
    expect(result).toBeNull();
    expect(op.error?.code).toBe("validation");
    expect(op.rawError).toBe(raw);
    expect(op.cancelled).toBe(false);
  });

  it("cancels through cancel_operation and reports the cancellation", async () => {
    const op = new Operation();
    let reject: (e: unknown) => void = () => {};
    const running = op.run(() => new Promise((_, rej) => (reject = rej)));
    expect(op.running).toBe(true);
    await op.cancel();
    expect(api.cancelOperation).toHaveBeenCalledWith("op-1");
    expect(op.cancelling).toBe(true);
    reject({ code: "cancelled", message: "", details: null });
    await running;
    expect(op.cancelled).toBe(true);
    expect(op.cancelling).toBe(false);
    expect(op.running).toBe(false);
  });

  it("does nothing when cancelling without a running operation", async () => {
    await new Operation().cancel();
    expect(api.cancelOperation).not.toHaveBeenCalled();
  });
});
