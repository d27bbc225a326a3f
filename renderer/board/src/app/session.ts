// One open board: the Y.Doc and its model, the hub connection, presence, the
// renderer and the input, wired together. React only draws the chrome around
// it and calls these methods.
import * as Y from 'yjs';
import { shapeBox, unionBox } from '../model/geometry';
import type { Box } from '../model/geometry';
import { BoardModel } from '../model/board-model';
import type { Shape } from '../model/shape';
import type { BoardSnapshot } from '../model/snapshot';
import { connect } from '../net/connection';
import type { Connection, Refusal } from '../net/connection';
import { classWriters, cursorColor, deviceId } from '../net/identity';
import { goToMovedHub } from '../net/moved';
import { BoardRenderer } from '../render/board-renderer';
import { MAX_SCALE, MIN_SCALE, visibleBox, zoomAt } from '../render/view';
import type { View } from '../render/view';
import { BoardInput } from './input';
import type { InputHooks } from './input';
import { Presence } from './presence';

/** What this page may do to the board now (the hub enforces the same in a class). */
export interface EditRights {
  canEdit: boolean;
  /** Erase and move anyone's shapes: a plain room, or the class's teacher. */
  changeAll: boolean;
}

export interface SessionOptions extends Omit<InputHooks, 'canEdit' | 'canChange'> {
  room: string;
  name: string;
  base: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
  surface: HTMLElement;
  /** Read on every gesture, so a change of rights applies at once. */
  rights(): EditRights;
  /** A class member's token for the hub. */
  token?: string;
  /** Who the shapes drawn here belong to: the class member, else this device. */
  author?: string;
  onRefusal?(refusal: Refusal): void;
  /** The view of the session this one replaces (after a refusal): kept, not fitted anew. */
  view?: View;
}

export class BoardSession {
  readonly doc = new Y.Doc();
  readonly model: BoardModel;
  readonly connection: Connection;
  readonly presence: Presence;
  readonly renderer: BoardRenderer;
  readonly input: BoardInput;
  /** Client IDs whose writing is this member's (every page of theirs in the class, as far as this device knows). */
  private readonly writers: ReadonlySet<number>;
  private readonly resizeObserver: ResizeObserver;

  constructor(readonly options: SessionOptions) {
    this.model = new BoardModel(this.doc, options.author ?? deviceId());
    this.writers = options.token
      ? classWriters(options.room, this.doc.clientID)
      : new Set([this.doc.clientID]);
    this.connection = connect(options.room, this.doc, {
      token: options.token,
      mayEdit: () => options.rights().canEdit,
      onRefusal: options.onRefusal,
      onMoved: (base, lost) => void goToMovedHub(base, options.room, lost),
    });
    this.presence = new Presence(
      this.connection.provider.awareness,
      options.name,
      cursorColor(this.doc.clientID),
    );
    this.renderer = new BoardRenderer(this.model, options.base, options.overlay);
    this.input = new BoardInput(options.overlay, this.model, this.renderer, {
      ...options,
      canEdit: () => options.rights().canEdit,
      canChange: (shape) => this.canChange(shape),
      onCursor: (at) => {
        this.presence.setCursor(at);
        options.onCursor(at);
      },
    });
    this.renderer.painters.push(this.presence.painter(), (ctx, view) =>
      this.paintSelection(ctx, view),
    );
    this.presence.onChange(() => this.renderer.invalidateOverlay());
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(options.surface);
    this.fit();
    if (options.view) this.renderer.setView(options.view);
    else this.fitOnFirstSync();
  }

  /**
   * A board opens on its drawing: a phone would otherwise show the top-left
   * corner of a drawing made on a laptop. Once, and only while nobody has
   * moved the view yet: after that the view is the user's.
   */
  private fitOnFirstSync(): void {
    const { provider } = this.connection;
    const onSync = (synced: boolean) => {
      if (!synced) return;
      provider.off('sync', onSync);
      const v = this.renderer.currentView;
      const untouched = v.scale === 1 && v.ox === 0 && v.oy === 0;
      if (untouched && !this.input.busy && this.model.all().length > 0) this.fitView();
    };
    provider.on('sync', onSync);
  }

  private fit(): void {
    const r = this.options.surface.getBoundingClientRect();
    this.renderer.resize(r.width, r.height, window.devicePixelRatio || 1);
  }

  private paintSelection(ctx: CanvasRenderingContext2D, view: View): void {
    const shapes = [...this.input.selection]
      .map((id) => this.model.get(id))
      .filter((s) => s !== undefined);
    const box = unionBox(shapes.map(shapeBox));
    if (!box) return;
    const [dx, dy] = this.input.moveOffset;
    ctx.strokeStyle = '#1971c2';
    ctx.lineWidth = 1.5 / view.scale;
    ctx.setLineDash([6 / view.scale, 4 / view.scale]);
    ctx.strokeRect(
      box.minX + dx - 4,
      box.minY + dy - 4,
      box.maxX - box.minX + 8,
      box.maxY - box.minY + 8,
    );
  }

  canChange(shape: Shape): boolean {
    const rights = this.options.rights();
    if (!rights.canEdit) return false;
    if (rights.changeAll) return true;
    // The hub would refuse the change if anyone else's writing is inside (the teacher moved it).
    return shape.author === this.model.author && this.model.writtenOnlyBy(shape.id, this.writers);
  }

  /** Why this page may not erase or move a shape, in a few words for a toast. */
  whyNotYours(shape: Shape, action: 'erase' | 'move'): string {
    if (!this.options.rights().canEdit) return 'You cannot draw on this board right now.';
    // The member's own shape that someone else (the teacher) has moved or changed since.
    if (shape.author === this.model.author) {
      return `The teacher has changed this, so only the teacher can ${action} it now.`;
    }
    return `Only the teacher can ${action} this: it is someone else's.`;
  }

  /** The teacher's "Clear board": every shape, everyone's, in one transaction. */
  clearBoard(): void {
    this.input.select(new Set());
    this.model.clear();
  }

  deleteSelection(): void {
    this.model.endStep();
    this.model.remove(this.input.selection);
    this.model.endStep();
    this.input.select(new Set());
  }

  zoom(factor: number): void {
    const r = this.options.surface.getBoundingClientRect();
    this.renderer.setView(zoomAt(this.renderer.currentView, factor, r.width / 2, r.height / 2));
  }

  /** Fits the whole drawing in view (or the origin at 100% on an empty board). */
  fitView(): void {
    const box = unionBox(this.model.all().map(shapeBox));
    if (!box) return this.renderer.setView({ scale: 1, ox: 0, oy: 0 });
    this.showArea(box, { margin: 20, maxScale: 2 });
  }

  /** Fits a board rectangle to this screen, centred ("follow me": the teacher's view). */
  showArea(box: Box, { margin = 0, maxScale = MAX_SCALE } = {}): void {
    const r = this.options.surface.getBoundingClientRect();
    const scale = Math.max(
      MIN_SCALE,
      Math.min(
        maxScale,
        (r.width - 2 * margin) / Math.max(box.maxX - box.minX, 1e-6),
        (r.height - 2 * margin) / Math.max(box.maxY - box.minY, 1e-6),
      ),
    );
    const ox = r.width / 2 - ((box.minX + box.maxX) / 2) * scale;
    const oy = r.height / 2 - ((box.minY + box.maxY) / 2) * scale;
    this.renderer.setView({ scale, ox, oy });
  }

  /** The board rectangle on screen now (what "Export PDF of the view" prints). */
  visibleArea(): Box {
    const r = this.options.surface.getBoundingClientRect();
    return visibleBox(this.renderer.currentView, r.width, r.height);
  }

  addText(at: [number, number], text: string, color: string, width: number): void {
    if (!text.trim()) return;
    this.model.add({ type: 'text', points: [at[0], at[1], 0.5], color, width, text });
    this.model.endStep();
  }

  /** A text edited in place; emptied, it goes. */
  editText(id: string, text: string): void {
    const shape = this.model.get(id);
    if (!shape || shape.text === text || !this.canChange(shape)) return;
    this.model.endStep();
    if (text.trim()) this.model.setText(id, text);
    else this.model.remove([id]);
    this.model.endStep();
  }

  importSnapshot(snapshot: BoardSnapshot, replace: boolean): void {
    this.model.addShapes(snapshot.shapes, { replace });
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.input.destroy();
    this.renderer.destroy();
    this.presence.destroy();
    this.connection.destroy();
    this.model.destroy();
    this.doc.destroy();
  }
}
