// The view transform: screen = board * scale + offset, in CSS pixels.

export interface View {
  scale: number;
  ox: number;
  oy: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 8;

export const toBoard = (v: View, sx: number, sy: number): [number, number] => [
  (sx - v.ox) / v.scale,
  (sy - v.oy) / v.scale,
];

/** Zooms by `factor` keeping the board point under (sx, sy) in place. */
export function zoomAt(v: View, factor: number, sx: number, sy: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return { scale, ox: sx - (sx - v.ox) * k, oy: sy - (sy - v.oy) * k };
}

export const panBy = (v: View, dx: number, dy: number): View => ({
  ...v,
  ox: v.ox + dx,
  oy: v.oy + dy,
});

/** The board rectangle a w×h screen shows. */
export function visibleBox(v: View, w: number, h: number) {
  const [minX, minY] = toBoard(v, 0, 0);
  const [maxX, maxY] = toBoard(v, w, h);
  return { minX, minY, maxX, maxY };
}
