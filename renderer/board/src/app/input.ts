// Pointer input on the board: mouse, touch and stylus through pointer events.
// One finger or the pen draws with the current tool; two fingers pan and zoom;
// the wheel pans (zooms with Ctrl or a trackpad pinch); the middle button pans.
import { hitShape } from '../model/geometry';
import type { BoardModel } from '../model/board-model';
import type { Shape } from '../model/shape';
import type { BoardRenderer } from '../render/board-renderer';
import { panBy, toBoard, zoomAt } from '../render/view';
import type { ToolSettings } from './tools';

/**
 * Pen points go to the hub at most this often; the local preview follows every
 * event. The stroke itself enters the board at its first flush, not at the
 * touch: a second finger landing meanwhile makes it a pinch, and the fingers
 * leave nothing behind, not even for a moment on the other devices.
 */
const FLUSH_MS = 40;
/** The id a stroke's preview has before the stroke enters the board. */
const UNSENT_STROKE = 'unsent-stroke';

export interface InputHooks {
  settings(): ToolSettings;
  /** False on a view-only board: every drag pans. */
  canEdit(): boolean;
  /** Whether the eraser and the select tool may touch this shape (a student: only their own). */
  canChange(shape: Shape): boolean;
  onCursor(board: [number, number] | null): void;
  onSelect(ids: Set<string>): void;
  /** The text tool was tapped at a board point (screen point for the editor). */
  onText(board: [number, number], screen: [number, number]): void;
  /** The eraser or the select tool met a shape this page may not change. */
  onNotYours(shape: Shape, action: 'erase' | 'move'): void;
  /** A text this page may change was tapped with the text tool, or double-tapped with select. */
  onEditText(shape: Shape): void;
}

/** Two taps this close in time and place are a double tap (or a double click). */
const DOUBLE_TAP_MS = 450;
const DOUBLE_TAP_PX = 24;
/**
 * A fingertip wobbles a few pixels during a tap: with select, a shape moves
 * only once a finger has travelled this far (a mouse or a stylus moves it at
 * once), so a tap stays a tap and a double tap can edit a text.
 */
const TOUCH_SLOP_PX = 10;

type Action =
  | { kind: 'pen'; id: string | undefined; points: number[]; unsent: number[]; timer: number }
  | { kind: 'shape'; start: [number, number]; end: [number, number] }
  /** `told`: the user heard once in this gesture why a shape stays. */
  | { kind: 'erase'; told: boolean }
  | {
      kind: 'move';
      ids: Set<string>;
      start: [number, number];
      dx: number;
      dy: number;
      /** Where a finger went down (screen), until it passes the slop; then undefined. */
      still?: [number, number];
    }
  | { kind: 'pan'; last: [number, number] }
  | { kind: 'pinch'; distance: number; mid: [number, number] }
  | { kind: 'text' };

export class BoardInput {
  private readonly pointers = new Map<number, [number, number]>();
  private action: Action | undefined;
  private selected = new Set<string>();
  private readonly cleanup: Array<() => void> = [];
  /** The last tap of the select tool that hit a shape, to see a second one coming. */
  private lastTap: { id: string; at: [number, number]; time: number } | undefined;

  constructor(
    private readonly el: HTMLElement,
    private readonly model: BoardModel,
    private readonly renderer: BoardRenderer,
    private readonly hooks: InputHooks,
  ) {
    const on = <K extends keyof HTMLElementEventMap>(
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      options?: AddEventListenerOptions,
    ) => {
      el.addEventListener(type, fn, options);
      this.cleanup.push(() => el.removeEventListener(type, fn, options));
    };
    on('pointerdown', (e) => this.down(e));
    on('pointermove', (e) => this.move(e));
    on('pointerup', (e) => this.up(e));
    on('pointercancel', (e) => this.up(e, true));
    on('pointerleave', () => hooks.onCursor(null));
    on('wheel', (e) => this.wheel(e), { passive: false });
  }

  destroy(): void {
    for (const c of this.cleanup) c();
  }

  /** A gesture is under way (a fit now would move the board under the finger). */
  get busy(): boolean {
    return this.action !== undefined;
  }

  get selection(): Set<string> {
    return this.selected;
  }

  select(ids: Set<string>): void {
    this.selected = ids;
    this.hooks.onSelect(ids);
    this.renderer.invalidateOverlay();
  }

  /** The drag offset of the selection, for drawing its outline. */
  get moveOffset(): [number, number] {
    return this.action?.kind === 'move' ? [this.action.dx, this.action.dy] : [0, 0];
  }

  private screen(e: PointerEvent | WheelEvent): [number, number] {
    const r = this.el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private board(e: PointerEvent): [number, number] {
    const [x, y] = this.screen(e);
    return toBoard(this.renderer.currentView, x, y);
  }

  private down(e: PointerEvent): void {
    this.el.setPointerCapture?.(e.pointerId);
    this.pointers.set(e.pointerId, this.screen(e));
    if (this.pointers.size === 2 && e.pointerType === 'touch') {
      this.cancel(); // a second finger: it was a pinch, not a stroke
      this.action = { kind: 'pinch', ...this.pinchState() };
      return;
    }
    if (this.pointers.size > 1 || this.action) return;
    if (
      e.button === 1 ||
      (e.button === 0 && e.shiftKey && this.hooks.settings().tool === 'select')
    ) {
      this.action = { kind: 'pan', last: this.screen(e) };
      return;
    }
    if (e.button !== 0) return;
    e.preventDefault();
    if (!this.hooks.canEdit()) {
      this.action = { kind: 'pan', last: this.screen(e) };
      return;
    }
    this.begin(e);
  }

  private begin(e: PointerEvent): void {
    const { tool } = this.hooks.settings();
    const at = this.board(e);
    if (tool === 'pen') {
      const points = [...at, pressure(e)];
      const a: Action = { kind: 'pen', id: undefined, points, unsent: [], timer: 0 };
      a.timer = window.setTimeout(() => this.flush(a), FLUSH_MS);
      this.action = a;
      this.renderer.setPreview(this.penShape(UNSENT_STROKE, points));
    } else if (tool === 'eraser') {
      const a: Action = { kind: 'erase', told: false };
      this.action = a;
      this.model.endStep();
      this.eraseAt(at, a);
    } else if (tool === 'select') {
      const hit = this.topmostAt(at);
      if (!hit) {
        const other = this.topmostShapeAt(at, () => true, false);
        if (other) this.hooks.onNotYours(other, 'move');
        this.select(new Set());
        this.action = { kind: 'pan', last: this.screen(e) };
        return;
      }
      if (!this.selected.has(hit)) this.select(new Set([hit]));
      const still = e.pointerType === 'touch' ? this.screen(e) : undefined;
      this.action = { kind: 'move', ids: this.selected, start: at, dx: 0, dy: 0, still };
    } else if (tool === 'text') {
      this.action = { kind: 'text' };
    } else {
      this.action = { kind: 'shape', start: at, end: at };
    }
  }

  private move(e: PointerEvent): void {
    const screen = this.screen(e);
    if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, screen);
    const at = this.board(e);
    this.hooks.onCursor(at);
    const a = this.action;
    if (!a) return;
    if (a.kind === 'pinch') return this.pinch(a);
    if (a.kind === 'pan') {
      this.renderer.setView(
        panBy(this.renderer.currentView, screen[0] - a.last[0], screen[1] - a.last[1]),
      );
      a.last = screen;
    } else if (a.kind === 'pen') {
      // Coalesced events keep fast strokes smooth at any frame rate.
      const events = e.getCoalescedEvents?.() ?? [];
      for (const ev of events.length > 0 ? events : [e]) {
        const p = [...this.board(ev), pressure(ev)];
        a.points.push(...p);
        a.unsent.push(...p);
      }
      this.renderer.setPreview(this.penShape(a.id ?? UNSENT_STROKE, a.points));
      if (!a.timer) a.timer = window.setTimeout(() => this.flush(a), FLUSH_MS);
    } else if (a.kind === 'shape') {
      a.end = at;
      this.renderer.setPreview(this.shapeFrom(a.start, a.end));
    } else if (a.kind === 'erase') {
      this.eraseAt(at, a);
    } else if (a.kind === 'move') {
      if (a.still && Math.hypot(screen[0] - a.still[0], screen[1] - a.still[1]) < TOUCH_SLOP_PX) {
        return;
      }
      a.still = undefined;
      a.dx = at[0] - a.start[0];
      a.dy = at[1] - a.start[1];
      this.renderer.setFloating(a.ids, a.dx, a.dy);
    }
  }

  private up(e: PointerEvent, cancelled = false): void {
    this.pointers.delete(e.pointerId);
    const a = this.action;
    if (!a) return;
    if (a.kind === 'pinch') {
      // One finger left: nothing more until all are up.
      if (this.pointers.size === 0) this.action = undefined;
      return;
    }
    this.action = undefined;
    if (a.kind === 'pen') {
      this.flush(a);
      this.model.endStep();
      this.renderer.setPreview(null);
    } else if (a.kind === 'shape') {
      this.renderer.setPreview(null);
      const s = this.shapeFrom(a.start, a.end);
      if (!cancelled && (a.start[0] !== a.end[0] || a.start[1] !== a.end[1])) {
        this.model.add({ type: s.type, points: s.points, color: s.color, width: s.width });
        this.model.endStep();
      }
    } else if (a.kind === 'erase') {
      this.model.endStep();
    } else if (a.kind === 'move') {
      this.renderer.setFloating(new Set(), 0, 0);
      if (!cancelled && (a.dx !== 0 || a.dy !== 0)) this.model.move(a.ids, a.dx, a.dy);
      else if (!cancelled) this.tapped(this.screen(e), a.ids);
      this.model.endStep();
      this.renderer.invalidateOverlay();
    } else if (a.kind === 'text' && !cancelled) {
      const at = this.board(e);
      const text = this.textAt(at);
      if (text) this.hooks.onEditText(text);
      else this.hooks.onText(at, this.screen(e));
    }
  }

  /** Abandons the current action (a pinch began): a stroke just started is dropped. */
  private cancel(): void {
    const a = this.action;
    this.action = undefined;
    if (a?.kind === 'pen') {
      clearTimeout(a.timer);
      if (a.id) this.model.remove([a.id]);
    }
    if (a?.kind === 'move') this.renderer.setFloating(new Set(), 0, 0);
    this.renderer.setPreview(null);
  }

  private flush(a: Extract<Action, { kind: 'pen' }>): void {
    clearTimeout(a.timer);
    a.timer = 0;
    if (a.id === undefined) {
      const { color, width } = this.hooks.settings();
      a.id = this.model.add({ type: 'pen', points: [...a.points], color, width });
      if (this.action === a) this.renderer.setPreview(this.penShape(a.id, a.points));
    } else {
      this.model.appendPoints(a.id, a.unsent);
    }
    a.unsent = [];
  }

  private penShape(id: string, points: number[]): Shape {
    const { color, width } = this.hooks.settings();
    return { ...blank(id), type: 'pen', points, color, width };
  }

  private shapeFrom(start: [number, number], end: [number, number]): Shape {
    const { tool, color, width } = this.hooks.settings();
    const type = tool === 'line' || tool === 'rect' || tool === 'ellipse' ? tool : 'line';
    return { ...blank('preview'), type, points: [...start, 0.5, ...end, 0.5], color, width };
  }

  private topmostAt(at: [number, number]): string | undefined {
    return this.topmostShapeAt(at)?.id;
  }

  private topmostShapeAt(
    [x, y]: [number, number],
    only: (s: Shape) => boolean = () => true,
    mine = true,
  ): Shape | undefined {
    const tolerance = 6 / this.renderer.currentView.scale;
    const list = this.renderer.shapesInOrder();
    for (let i = list.length - 1; i >= 0; i--) {
      const shape = list[i]!.shape;
      // Geometry first: it rules out most shapes at less cost than the ownership walk.
      if (
        only(shape) &&
        hitShape(shape, x, y, tolerance) &&
        (!mine || this.hooks.canChange(shape))
      ) {
        return shape;
      }
    }
    return undefined;
  }

  private textAt(at: [number, number]): Shape | undefined {
    return this.topmostShapeAt(at, (s) => s.type === 'text');
  }

  /** A tap of the select tool on the selection: the second of a double tap on a text edits it. */
  private tapped(screen: [number, number], ids: Set<string>): void {
    const now = performance.now();
    const last = this.lastTap;
    const id = ids.size === 1 ? [...ids][0]! : undefined;
    this.lastTap = id ? { id, at: screen, time: now } : undefined;
    if (!id || !last || last.id !== id || now - last.time > DOUBLE_TAP_MS) return;
    if (Math.hypot(screen[0] - last.at[0], screen[1] - last.at[1]) > DOUBLE_TAP_PX) return;
    this.lastTap = undefined;
    const shape = this.model.get(id);
    if (shape?.type === 'text' && this.hooks.canChange(shape)) this.hooks.onEditText(shape);
  }

  private eraseAt([x, y]: [number, number], a: Extract<Action, { kind: 'erase' }>): void {
    const tolerance = 8 / this.renderer.currentView.scale;
    const hits: string[] = [];
    for (const { shape } of this.renderer.shapesInOrder()) {
      if (!hitShape(shape, x, y, tolerance)) continue;
      if (this.hooks.canChange(shape)) hits.push(shape.id);
      else if (!a.told) {
        a.told = true;
        this.hooks.onNotYours(shape, 'erase');
      }
    }
    if (hits.length > 0) this.model.remove(hits);
  }

  private pinchState(): { distance: number; mid: [number, number] } {
    const [a, b] = [...this.pointers.values()] as [[number, number], [number, number]];
    return {
      distance: Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1])),
      mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2],
    };
  }

  private pinch(a: Extract<Action, { kind: 'pinch' }>): void {
    if (this.pointers.size < 2) return;
    const next = this.pinchState();
    let view = panBy(this.renderer.currentView, next.mid[0] - a.mid[0], next.mid[1] - a.mid[1]);
    view = zoomAt(view, next.distance / a.distance, next.mid[0], next.mid[1]);
    this.renderer.setView(view);
    Object.assign(a, next);
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    const [sx, sy] = this.screen(e);
    const view = this.renderer.currentView;
    // Trackpad pinches arrive as wheel events with ctrlKey set.
    this.renderer.setView(
      e.ctrlKey || e.metaKey
        ? zoomAt(view, Math.exp(-e.deltaY * 0.01), sx, sy)
        : panBy(view, -e.deltaX, -e.deltaY),
    );
  }
}

/** Only a stylus reports real pressure; a mouse says 0.5 and touch varies by device. */
const pressure = (e: PointerEvent) =>
  e.pointerType === 'pen' && e.pressure > 0 ? e.pressure : 0.5;

const blank = (id: string): Shape => ({
  id,
  type: 'pen',
  points: [],
  color: '#000000',
  width: 2,
  author: '',
  createdAt: Number.MAX_SAFE_INTEGER,
  dx: 0,
  dy: 0,
  text: '',
});
