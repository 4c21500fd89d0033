// Width of the detail pane (the splitter between table and detail pane).

export const PANE_MIN = 280;
export const PANE_DEFAULT = 320;
/** the widest the pane grows by itself on a wide window */
export const PANE_DEFAULT_MAX = 520;

/**
 * The pane's width until the user drags the splitter: a quarter of the
 * window, never under PANE_DEFAULT (what the default columns leave beside
 * the table at 1280 px) nor over PANE_DEFAULT_MAX, so a wide screen shows
 * the values table whole instead of a fixed sliver.
 */
export function paneDefault(total: number): number {
  if (total <= 0) return PANE_DEFAULT;
  return clampPane(Math.min(Math.max(Math.round(total / 4), PANE_DEFAULT), PANE_DEFAULT_MAX), total);
}
/** the table keeps at least this much room */
export const TABLE_MIN = 420;

export function clampPane(width: number, total: number): number {
  const max = Math.max(PANE_MIN, total - TABLE_MIN);
  return Math.round(Math.min(Math.max(width, PANE_MIN), max));
}

/** Keyboard on the splitter: arrows move 24 px (Shift: 96 px), Home/End go to the limits. */
export function paneKeyStep(key: string, shift: boolean, width: number, total: number): number | null {
  const step = shift ? 96 : 24;
  switch (key) {
    case "ArrowLeft":
      return clampPane(width + step, total); // splitter moves left: pane grows
    case "ArrowRight":
      return clampPane(width - step, total);
    case "Home":
      return clampPane(Number.POSITIVE_INFINITY, total);
    case "End":
      return clampPane(PANE_MIN, total);
    default:
      return null;
  }
}

/** Dragging the splitter from `startX` (pane then `startWidth` wide) to `x`: the pane grows as the splitter moves left. */
export function paneDragWidth(startWidth: number, startX: number, x: number, total: number): number {
  return clampPane(startWidth + (startX - x), total);
}

/** The width the pane is shown at: the chosen one, kept inside the limits once the room is known. */
export function paneShownWidth(width: number, total: number): number {
  return total > 0 ? clampPane(width, total) : width;
}
