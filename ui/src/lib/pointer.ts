// Dragging with the pointer (column edges and headers, the splitter): the
// element pressed keeps the pointer until it is let go, wherever it moves.

/**
 * Follows the pointer pressed in `down` on its element: `move` at each move,
 * then `end` once when it is released or the drag is cancelled.
 */
export function followPointer(down: PointerEvent, move: (e: PointerEvent) => void, end: () => void = () => {}): void {
  const el = down.currentTarget as HTMLElement;
  el.setPointerCapture(down.pointerId);
  const up = () => {
    el.removeEventListener("pointermove", move);
    el.removeEventListener("pointerup", up);
    el.removeEventListener("pointercancel", up);
    end();
  };
  el.addEventListener("pointermove", move);
  el.addEventListener("pointerup", up);
  el.addEventListener("pointercancel", up);
}
