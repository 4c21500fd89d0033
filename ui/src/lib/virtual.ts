// Geometry of the virtualized table: which rows are on screen for a scroll
// position, with fixed row height. Very long lists are compressed so the
// scrollable height never exceeds what browsers can handle (~16M px in some
// engines): the scroll position is then mapped proportionally to rows.

export const MAX_CONTENT_HEIGHT = 8_000_000;

export interface Viewport {
  /** first row index to render (inclusive) */
  first: number;
  /** last row index to render (exclusive) */
  last: number;
  /** y (px, inside the scroll content) where row `first` is drawn */
  offsetTop: number;
  /** total height of the scroll content (px) */
  contentHeight: number;
  /** the scroll position expressed in un-compressed row space (px) */
  virtualTop: number;
}

function ratioOf(count: number, rowHeight: number, viewportHeight: number, maxHeight: number): number {
  const natural = count * rowHeight;
  const content = Math.min(natural, maxHeight);
  if (natural <= maxHeight || content <= viewportHeight) return 1;
  return (natural - viewportHeight) / (content - viewportHeight);
}

export function contentHeight(count: number, rowHeight: number, maxHeight = MAX_CONTENT_HEIGHT): number {
  return Math.min(Math.max(0, count) * rowHeight, maxHeight);
}

export function computeViewport(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 6,
  maxHeight = MAX_CONTENT_HEIGHT,
): Viewport {
  const height = contentHeight(count, rowHeight, maxHeight);
  if (count <= 0 || viewportHeight <= 0) {
    return { first: 0, last: 0, offsetTop: 0, contentHeight: height, virtualTop: 0 };
  }
  const maxScroll = Math.max(0, height - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  const ratio = ratioOf(count, rowHeight, viewportHeight, maxHeight);
  const virtualTop = top * ratio;
  const first = Math.max(0, Math.floor(virtualTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((virtualTop + viewportHeight) / rowHeight) + overscan);
  const offsetTop = top + first * rowHeight - virtualTop;
  return { first, last, offsetTop, contentHeight: height, virtualTop };
}

/**
 * The scroll position that brings row `index` fully into view with the least
 * movement (unchanged if it is already visible).
 */
export function scrollTopForRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  maxHeight = MAX_CONTENT_HEIGHT,
): number {
  const ratio = ratioOf(count, rowHeight, viewportHeight, maxHeight);
  const virtualTop = scrollTop * ratio;
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  let target = virtualTop;
  if (rowTop < virtualTop) target = rowTop;
  else if (rowBottom > virtualTop + viewportHeight) target = rowBottom - viewportHeight;
  else return scrollTop;
  return Math.max(0, target / ratio);
}

/** How many whole rows fit in the viewport (for PageUp/PageDown). */
export function rowsPerViewport(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight));
}
