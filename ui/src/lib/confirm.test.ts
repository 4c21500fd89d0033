import { describe, expect, it } from "vitest";
import { confirmBlocker, countedAction, wholeDatabaseText } from "./confirm";

describe("confirming bulk actions", () => {
  it("names the action and the count", () => {
    expect(countedAction("Delete", 1)).toBe("Delete 1 EAC");
    expect(countedAction("Delete", 3)).toBe("Delete 3 EACs");
    expect(countedAction("Mark", 12345, "as verified")).toMatch(/^Mark 12.345 EACs as verified$/);
    expect(countedAction("Delete", null)).toBe("Delete … EACs");
  });

  it("a whole-database action waits for the tick", () => {
    expect(confirmBlocker({ count: 5, wholeDatabase: true, ticked: false })).toMatch(/tick the box/);
    expect(confirmBlocker({ count: 5, wholeDatabase: true, ticked: true })).toBeNull();
    expect(confirmBlocker({ count: 5, wholeDatabase: false, ticked: false })).toBeNull();
  });

  it("nothing to do, or still counting, blocks too", () => {
    expect(confirmBlocker({ count: 0, wholeDatabase: false, ticked: true })).toMatch(/nothing to do/);
    expect(confirmBlocker({ count: null, wholeDatabase: false, ticked: true })).toMatch(/Counting/);
  });

  it("the tick box says how many", () => {
    expect(wholeDatabaseText(1)).toBe("Yes, the only EAC in this database");
    expect(wholeDatabaseText(40)).toBe("Yes, all 40 EACs in this database");
  });
});
