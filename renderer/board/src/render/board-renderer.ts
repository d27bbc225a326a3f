// The board's canvas renderer. Two stacked canvases:
// - base: every settled shape, redrawn only when they change. A new shape that
//   sorts last is drawn on top of what is there; anything else (a move, a
//   deletion, an undo) redraws the base once, with the shapes outside the view
//   culled by their cached boxes. While the view pans or zooms the base is only
//   moved with a CSS transform, and redrawn sharp once the view rests.
// - overlay: redrawn each frame something on it changes: shapes still being
//   drawn ("hot", by anyone), the local previews, moved shapes, cursors.
// All drawing happens in one requestAnimationFrame callback.
import { intersects } from '../model/geometry';
import type { BoardModel, ShapeChanges } from '../model/board-model';
import { compareShapes } from '../model/shape';
import type { Shape } from '../model/shape';
import { drawPrepared, prepare, setupContext } from './draw';
import type { Prepared } from './draw';
import { visibleBox } from './view';
import type { View } from './view';

/** A shape that has not changed for this long moves from the overlay to the base. */
const COOL_MS = 250;
/** The base is redrawn sharp once the view has rested this long. */
const SETTLE_MS = 120;

export type OverlayPainter = (ctx: CanvasRenderingContext2D, view: View) => void;

export class BoardRenderer {
  private readonly prepared = new Map<string, Prepared>();
  /** Ids drawn on the base, in order. */
  private baseOrder: Prepared[] = [];
  private readonly onBase = new Set<string>();
  /** id -> last change (ms): drawn on the overlay until cool. */
  private readonly hot = new Map<string, number>();
  private floating = { ids: new Set<string>(), dx: 0, dy: 0 };
  private preview: Shape | null = null;
  private view: View = { scale: 1, ox: 0, oy: 0 };
  private baseView: View = this.view;
  private viewChangedAt = 0;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private baseDirty = true;
  private pendingBase: Prepared[] = [];
  private overlayDirty = true;
  private frame = 0;
  private readonly unobserve: () => void;
  /** After each frame: its rAF time and the ms spent drawing it (the benchmark reads these). */
  onFrame?: (at: number, workMs: number) => void;
  painters: OverlayPainter[] = [];

  constructor(
    private readonly model: BoardModel,
    private readonly base: HTMLCanvasElement,
    private readonly overlay: HTMLCanvasElement,
  ) {
    base.style.transformOrigin = '0 0';
    for (const s of model.all()) this.prepared.set(s.id, prepare(s));
    this.unobserve = model.observe((c) => this.apply(c));
    this.request();
  }

  destroy(): void {
    this.unobserve();
    cancelAnimationFrame(this.frame);
  }

  get currentView(): View {
    return this.view;
  }

  resize(width: number, height: number, dpr: number): void {
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    for (const c of [this.base, this.overlay]) {
      c.width = Math.max(1, Math.round(width * dpr));
      c.height = Math.max(1, Math.round(height * dpr));
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
    }
    this.baseDirty = true;
    this.overlayDirty = true;
    this.request();
  }

  setView(view: View): void {
    this.view = view;
    this.viewChangedAt = performance.now();
    const k = view.scale / this.baseView.scale;
    const tx = view.ox - this.baseView.ox * k;
    const ty = view.oy - this.baseView.oy * k;
    this.base.style.transform = `matrix(${k}, 0, 0, ${k}, ${tx}, ${ty})`;
    this.overlayDirty = true;
    this.request();
  }

  /** The local tool's shape in progress (drawn above everything, never stored). */
  setPreview(shape: Shape | null): void {
    this.preview = shape;
    this.invalidateOverlay();
  }

  /** Shapes being dragged: off the base, drawn on the overlay at the offset. */
  setFloating(ids: Set<string>, dx: number, dy: number): void {
    const changed =
      ids.size !== this.floating.ids.size || [...ids].some((id) => !this.floating.ids.has(id));
    this.floating = { ids, dx, dy };
    if (changed) this.baseDirty = true;
    this.invalidateOverlay();
  }

  invalidateOverlay(): void {
    this.overlayDirty = true;
    this.request();
  }

  /** The prepared shapes, topmost last (for hit tests). */
  shapesInOrder(): Prepared[] {
    return [...this.prepared.values()].sort((a, b) => compareShapes(a.shape, b.shape));
  }

  private apply(c: ShapeChanges): void {
    const now = performance.now();
    for (const id of c.removed) {
      this.prepared.delete(id);
      this.hot.delete(id);
      if (this.onBase.has(id)) this.baseDirty = true;
    }
    for (const id of [...c.added, ...c.appended, ...c.modified]) {
      const shape = this.model.get(id);
      if (!shape) continue;
      this.prepared.set(id, prepare(shape));
      if (this.onBase.has(id)) {
        // Changed under the base: redraw it without this shape, which goes hot.
        this.baseDirty = true;
        this.onBase.delete(id);
      }
      this.hot.set(id, now);
    }
    this.invalidateOverlay();
  }

  private request(): void {
    if (!this.frame) this.frame = requestAnimationFrame((t) => this.draw(t));
  }

  private draw(at: number): void {
    this.frame = 0;
    const now = performance.now();
    this.coolDown(now);
    if (now - this.viewChangedAt >= SETTLE_MS && this.baseView !== this.view) this.baseDirty = true;
    if (this.baseDirty) this.drawBase();
    else if (this.pendingBase.length > 0) this.drawOnBase(this.pendingBase);
    this.pendingBase = [];
    if (this.overlayDirty) this.drawOverlay();
    this.onFrame?.(at, performance.now() - now);
    // Keep ticking while something must still cool down or the view must settle.
    if (this.hot.size > 0 || this.baseView !== this.view) this.request();
  }

  private coolDown(now: number): void {
    for (const [id, changedAt] of this.hot) {
      if (now - changedAt < COOL_MS) continue;
      this.hot.delete(id);
      const p = this.prepared.get(id);
      if (!p) continue;
      const last = this.baseOrder[this.baseOrder.length - 1];
      this.onBase.add(id);
      this.overlayDirty = true;
      if (this.baseDirty || (last && compareShapes(last.shape, p.shape) > 0)) {
        this.baseDirty = true; // it sorts under others: the base is redrawn in order
      } else {
        this.baseOrder.push(p);
        this.pendingBase.push(p);
      }
    }
  }

  private context(canvas: HTMLCanvasElement, view: View): CanvasRenderingContext2D {
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const k = this.dpr * view.scale;
    ctx.setTransform(k, 0, 0, k, this.dpr * view.ox, this.dpr * view.oy);
    setupContext(ctx);
    return ctx;
  }

  private drawBase(): void {
    this.baseDirty = false;
    this.baseView = this.view;
    this.base.style.transform = '';
    this.onBase.clear();
    this.baseOrder = [];
    for (const p of this.prepared.values()) {
      if (this.hot.has(p.shape.id) || this.floating.ids.has(p.shape.id)) continue;
      this.baseOrder.push(p);
      this.onBase.add(p.shape.id);
    }
    this.baseOrder.sort((a, b) => compareShapes(a.shape, b.shape));
    const ctx = this.context(this.base, this.view);
    this.paint(ctx, this.baseOrder);
  }

  private drawOnBase(list: Prepared[]): void {
    const ctx = this.base.getContext('2d')!;
    const k = this.dpr * this.baseView.scale;
    ctx.setTransform(k, 0, 0, k, this.dpr * this.baseView.ox, this.dpr * this.baseView.oy);
    setupContext(ctx);
    this.paint(ctx, list, this.baseView);
  }

  /** Draws the shapes that meet the view (culling by cached boxes). */
  private paint(ctx: CanvasRenderingContext2D, list: Iterable<Prepared>, view = this.view): void {
    const visible = visibleBox(view, this.width, this.height);
    for (const p of list) if (intersects(p.box, visible)) drawPrepared(ctx, p);
  }

  private drawOverlay(): void {
    this.overlayDirty = false;
    const ctx = this.context(this.overlay, this.view);
    const hot = [...this.hot.keys()]
      .filter((id) => id !== this.preview?.id && !this.floating.ids.has(id))
      .map((id) => this.prepared.get(id))
      .filter((p): p is Prepared => p !== undefined)
      .sort((a, b) => compareShapes(a.shape, b.shape));
    this.paint(ctx, hot);
    if (this.floating.ids.size > 0) {
      ctx.save();
      ctx.translate(this.floating.dx, this.floating.dy);
      for (const id of this.floating.ids) {
        const p = this.prepared.get(id);
        if (p) drawPrepared(ctx, p);
      }
      ctx.restore();
    }
    if (this.preview) drawPrepared(ctx, prepare(this.preview));
    for (const paint of this.painters) {
      ctx.save();
      paint(ctx, this.view);
      ctx.restore();
    }
  }
}
