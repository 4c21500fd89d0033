// @vitest-environment happy-dom
// The Closed periods dialog (Evidence ▾ → Closed periods…) mounted in a DOM:
// what a user reads of each period (its days, who closed or reopened it,
// when and why), what the close form refuses before asking, and what a
// close, a reopen and a refusal show. Only the IPC (api) is replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  api: {
    closedPeriods: vi.fn(),
    closePeriod: vi.fn(),
    reopenPeriod: vi.fn(),
  },
}));

import { api } from "../api";
import type { ClosedPeriod } from "../types";
import ClosedPeriodsDialog from "./ClosedPeriodsDialog.svelte";
import { $, cleanup, click, show, submit, type } from "../testMount";

function period(id: number, patch: Partial<ClosedPeriod> = {}): ClosedPeriod {
  return {
    id,
    from: "2024-01-01",
    to: "2024-12-31",
    closed_at: "2025-03-01T09:00:00Z",
    closed_by: "ana",
    reason: "FY2024 filed",
    reopened_at: null,
    reopened_by: null,
    reopen_reason: null,
    eac_count: 7,
    ...patch,
  };
}

beforeEach(() => {
  vi.mocked(api.closedPeriods).mockReset().mockResolvedValue([]);
  vi.mocked(api.closePeriod).mockReset();
  vi.mocked(api.reopenPeriod).mockReset();
});

afterEach(cleanup);

async function periodsView(onchanged: (text: string) => void = () => {}): Promise<HTMLElement> {
  const root = show(ClosedPeriodsDialog, { onclose: () => {}, onchanged });
  await vi.waitFor(() => expect($(root, "periods-list") ?? $(root, "periods-empty")).not.toBeNull());
  return root;
}

const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="period-row"]')];

describe("the Closed periods dialog", () => {
  it("says when no period was closed", async () => {
    const root = await periodsView();
    expect($(root, "periods-empty")?.textContent).toContain("No period has been closed");
  });

  it("names who closed and who reopened each period as the History does: the display name beside the login", async () => {
    vi.mocked(api.closedPeriods).mockResolvedValue([
      period(1, { closed_by_name: "Ana López" }),
      period(2, {
        from: "2023-01-01",
        to: "2023-12-31",
        closed_by: "bo",
        reopened_at: "2025-04-02T10:00:00Z",
        reopened_by: "cy",
        reopened_by_name: "Cy Day",
        reopen_reason: "restated",
      }),
    ]);
    const root = await periodsView();
    const [first, second] = rows(root);
    expect(first.dataset.state).toBe("closed");
    expect(first.textContent).toContain("2024-01-01 to 2024-12-31");
    expect(first.textContent).toContain("Closed: 7 EACs frozen");
    expect(first.textContent).toContain("closed by Ana López (ana) on");
    expect(first.textContent).toContain("“FY2024 filed”");
    expect($(first, "period-reopen")).not.toBeNull();
    // No name kept: the login alone. Reopened: by whom, and no Reopen… any more.
    expect(second.dataset.state).toBe("reopened");
    expect(second.textContent).toContain("closed by bo on");
    expect(second.textContent).toContain("Reopened by Cy Day (cy) on");
    expect(second.textContent).toContain("“restated”");
    expect($(second, "period-reopen")).toBeNull();
  });

  it("says what the close form lacks before asking, then closes the days and lists them", async () => {
    const changed = vi.fn();
    const root = await periodsView(changed);
    type(root, "period-from", "2024-01-01");
    type(root, "period-to", "2023-12-31");
    submit(root, "period-form");
    const problems = $(root, "period-problems")?.textContent ?? "";
    expect(problems).toContain("The last day comes before the first day.");
    expect(problems).toContain("Give a reason");
    expect(api.closePeriod).not.toHaveBeenCalled();

    type(root, "period-to", " 2024-12-31 ");
    type(root, "period-reason", "FY2024 filed");
    vi.mocked(api.closePeriod).mockResolvedValue(period(1));
    vi.mocked(api.closedPeriods).mockResolvedValue([period(1)]);
    submit(root, "period-form");
    await vi.waitFor(() => expect($(root, "period-done")).not.toBeNull());
    expect(api.closePeriod).toHaveBeenCalledWith("2024-01-01", "2024-12-31", "FY2024 filed");
    expect($(root, "period-done")?.textContent).toBe("Period 2024-01-01 to 2024-12-31 closed: 7 EACs frozen.");
    expect(changed).toHaveBeenCalledWith("Period 2024-01-01 to 2024-12-31 closed: 7 EACs frozen.");
    await vi.waitFor(() => expect(rows(root)).toHaveLength(1));
    expect(($(root, "period-from") as HTMLInputElement).value).toBe("");
  });

  it("reopens a period only with a reason, and shows a refusal in plain words", async () => {
    vi.mocked(api.closedPeriods).mockResolvedValue([period(1)]);
    const root = await periodsView();
    click(root, "period-reopen");
    expect(($(root, "period-reopen-confirm") as HTMLButtonElement).disabled).toBe(true);
    type(root, "period-reopen-reason", "restated figures");
    vi.mocked(api.reopenPeriod).mockRejectedValue({
      code: "not_found",
      message: "There is no closed period number 1 in this database. Nothing was changed.",
      details: { period_ids: [1] },
    });
    click(root, "period-reopen-confirm");
    await vi.waitFor(() => expect($(root, "period-error")).not.toBeNull());
    expect(api.reopenPeriod).toHaveBeenCalledWith(1, "restated figures");
    expect($(root, "period-error")?.textContent).toContain("There is no closed period number 1");
    expect($(root, "period-done")).toBeNull();
  });
});
