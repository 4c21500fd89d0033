// Keyboard movement of the table selection.

export type NavKey = "ArrowUp" | "ArrowDown" | "PageUp" | "PageDown" | "Home" | "End";

const NAV_KEYS = new Set<string>(["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End"]);

export function isNavKey(key: string): key is NavKey {
  return NAV_KEYS.has(key);
}

/**
 * The row index selected after pressing `key`.
 * - nothing selected: Up/Down/PageUp/PageDown/Home pick the first row, End the last;
 * - moves are clamped to [0, count-1];
 * - an empty table has no selection (null).
 */
export function moveSelection(
  current: number | null,
  key: NavKey,
  count: number,
  pageRows: number,
): number | null {
  if (count <= 0) return null;
  const lastIndex = count - 1;
  if (key === "End") return lastIndex;
  if (key === "Home") return 0;
  if (current === null || current < 0) return 0;
  const from = Math.min(current, lastIndex);
  const step = Math.max(1, pageRows);
  switch (key) {
    case "ArrowUp":
      return Math.max(0, from - 1);
    case "ArrowDown":
      return Math.min(lastIndex, from + 1);
    case "PageUp":
      return Math.max(0, from - step);
    case "PageDown":
      return Math.min(lastIndex, from + step);
  }
}

export type Shortcut = "focus-search" | "open-export" | "print" | null;

/** Global shortcuts: Ctrl+F (or Cmd+F) focuses search, Ctrl+E opens export, Ctrl+P prints the view. */
export function globalShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): Shortcut {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (k === "f") return "focus-search";
  if (k === "e") return "open-export";
  if (k === "p") return "print";
  return null;
}
