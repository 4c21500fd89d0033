// @vitest-environment happy-dom
// The Problems view lists the stored EACs every export refuses (text longer
// than 4096 characters, stored before EAC Desk refused it) beside double
// counting: each with its rule, place and message, its EAC a link that
// shows it.

import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";

vi.mock("../api", () => ({
  api: {
    checkDoubleCounting: vi.fn(),
    cancelOperation: vi.fn(),
  },
  newOpId: () => "op-1",
}));

import { api } from "../api";
import type { CheckReport, Violation } from "../types";
import ProblemsView from "./ProblemsView.svelte";
import { $, cleanup, clickOn, show, testDesk } from "../testMount";

afterEach(cleanup);

const long: Violation = {
  rule: 2,
  severity: "error",
  file: null,
  line: null,
  column: null,
  pointer: "/source_name",
  cds_eac_id: "e-01",
  message: "`source_name` is text longer than 4096 characters (5000): at most 4096; shorten it",
};

async function shown(report: CheckReport, onshow: (id: string) => void = () => {}) {
  vi.mocked(api.checkDoubleCounting).mockResolvedValue(report);
  const root = show(ProblemsView, { onshow, onclose: () => {} }, testDesk());
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
  return root;
}

describe("Problems: stored EACs every export refuses", () => {
  it("are listed with rule, place and message, and show their EAC when clicked", async () => {
    const picked: string[] = [];
    const root = await shown({ ranges: 0, findings: [], documents: [], violations: [long] }, (id) => picked.push(id));
    const group = $(root, "problems-violations");
    expect(group?.dataset.count).toBe("1");
    expect(group?.textContent).toContain("Stored EACs every export refuses (1)");
    const row = $(root, "violation");
    expect(row?.dataset.rule).toBe("2");
    expect($(root, "violation-pointer")?.textContent).toBe("/source_name");
    expect(row?.textContent).toContain("text longer than 4096 characters (5000): at most 4096; shorten it");
    expect($(root, "problems-summary")?.textContent).toContain("1 rule violation in stored EACs stops every export.");
    clickOn($(root, "violation-eac")!);
    expect(picked).toEqual(["e-01"]);
  });

  it("are not mentioned when there are none", async () => {
    const root = await shown({ ranges: 2, findings: [], documents: [], violations: [] });
    expect($(root, "problems-violations")).toBeNull();
    expect($(root, "problems-summary")?.textContent).toContain("No double counting found among 2 ranges.");
  });
});
