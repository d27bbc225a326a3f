// Export and import. Downloads go through an <a download> and a blob: URL,
// which work on plain-http LAN pages (no clipboard, no file system API).
import { intersects, shapeBox, unionBox } from '../model/geometry';
import type { Box } from '../model/geometry';
import type { Shape } from '../model/shape';
import { parseSnapshot, toSnapshot } from '../model/snapshot';
import type { BoardSnapshot } from '../model/snapshot';
import { boardSvg } from '../model/svg';
import { drawPrepared, prepare, setupContext } from '../render/draw';

/** What "More" exports: pdf is the whole board, pdf-view what is on screen. */
export type ExportKind = 'png' | 'svg' | 'json' | 'pdf' | 'pdf-view';

const MARGIN = 20;
/** Large boards are scaled down to keep the PNG within what browsers can allocate. */
const MAX_SIDE = 8192;

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The whole board, on white, as a PNG. */
export function boardPng(shapes: readonly Shape[], pixelRatio = 2): Promise<Blob> {
  const box = unionBox(shapes.map(shapeBox)) ?? { minX: 0, minY: 0, maxX: 400, maxY: 300 };
  const w = box.maxX - box.minX + 2 * MARGIN;
  const h = box.maxY - box.minY + 2 * MARGIN;
  const k = Math.min(pixelRatio, MAX_SIDE / w, MAX_SIDE / h);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(w * k));
  canvas.height = Math.max(1, Math.round(h * k));
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(k, 0, 0, k, (MARGIN - box.minX) * k, (MARGIN - box.minY) * k);
  setupContext(ctx);
  for (const s of shapes) drawPrepared(ctx, prepare(s));
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
  );
}

export const svgBlob = (shapes: readonly Shape[]) =>
  new Blob([boardSvg(shapes)], { type: 'image/svg+xml' });

export const jsonBlob = (room: string, shapes: readonly Shape[]) =>
  new Blob([`${JSON.stringify(toSnapshot(room, shapes), null, 1)}\n`], {
    type: 'application/json',
  });

/**
 * The board as a vector PDF: the whole drawing, or only `area` (the view).
 * pdf-lib is loaded at the first PDF, so the board itself does not wait for it.
 */
export async function boardPdf(
  room: string,
  shapes: readonly Shape[],
  area?: Box,
): Promise<{ blob: Blob; replaced: number }> {
  const { shapesPdf } = await import('./pdf');
  const shown = area ? shapes.filter((s) => intersects(shapeBox(s), area)) : shapes;
  const pdf = await shapesPdf([{ shapes: shown, area }], { title: room });
  return {
    blob: new Blob([pdf.bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }),
    replaced: pdf.replaced,
  };
}

export async function readSnapshotFile(file: File): Promise<BoardSnapshot> {
  return parseSnapshot(await file.text());
}

/** `<room>-<yyyy-mm-dd-hhmm>.<ext>` */
export function exportName(room: string, ext: string, now = new Date()): string {
  const pad = (v: number) => String(v).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `${room}-${stamp}.${ext}`;
}
