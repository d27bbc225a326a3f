// The tool bar: tools, colours, undo, redo and "fit" always in view, and
// behind "More" the widths, other colour, zoom, export and import, and
// whatever the page adds at the end (the teacher's Clear board). A phone has
// room for the first only; on a wide screen "More" opens inline (CSS). On a
// view-only board everything that edits is disabled; zoom and export stay.
import { useEffect, useId, useRef, useState } from 'react';
import type { ChangeEvent, ReactNode } from 'react';
import { COLORS, TOOLS, WIDTHS } from './tools';
import type { ToolSettings } from './tools';
import type { ExportKind } from '../io/export';

export interface ToolbarProps {
  settings: ToolSettings;
  onChange: (s: ToolSettings) => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onZoom: (factor: number) => void;
  onFit: () => void;
  onExport: (kind: ExportKind) => void;
  onImport: (file: File, replace: boolean) => void;
  readOnly?: boolean;
  /** Replacing the board erases everyone's shapes: not for a class's students. */
  canReplace?: boolean;
  children?: ReactNode;
}

const COLOR_NAMES: Record<string, string> = {
  '#1e1e1e': 'black',
  '#e03131': 'red',
  '#1971c2': 'blue',
  '#2f9e44': 'green',
  '#f08c00': 'orange',
  '#9c36b5': 'purple',
};

export function Toolbar(p: ToolbarProps) {
  const off = p.readOnly ?? false;
  const set = (patch: Partial<ToolSettings>) => p.onChange({ ...p.settings, ...patch });
  const more = useMoreMenu();
  const importFile = (replace: boolean) => (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    more.close();
    if (file) p.onImport(file, replace);
  };
  const exportAs = (kind: ExportKind) => () => {
    more.close();
    p.onExport(kind);
  };
  return (
    <nav className="toolbar" aria-label="Board tools" ref={more.root}>
      <div className="primary">
        <div role="group" aria-label="Tools" className="group">
          {TOOLS.map((t) => (
            <button
              key={t.tool}
              type="button"
              aria-label={`${t.label} (${t.key.toUpperCase()})`}
              title={`${t.label} (${t.key.toUpperCase()})`}
              aria-pressed={p.settings.tool === t.tool}
              disabled={off}
              onClick={() => set({ tool: t.tool })}
            >
              {t.icon}
            </button>
          ))}
        </div>
        <div role="group" aria-label="Colour" className="group">
          {COLORS.map((c) => (
            <button
              key={c}
              type="button"
              className="swatch"
              aria-label={`Colour ${COLOR_NAMES[c] ?? c}`}
              aria-pressed={p.settings.color === c}
              style={{ background: c }}
              disabled={off}
              onClick={() => set({ color: c })}
            />
          ))}
        </div>
        <div role="group" aria-label="History and view" className="group">
          <Action label="Undo (Ctrl+Z)" disabled={off || !p.canUndo} onClick={p.onUndo} text="↶" />
          <Action
            label="Redo (Ctrl+Shift+Z)"
            disabled={off || !p.canRedo}
            onClick={p.onRedo}
            text="↷"
          />
          <Action label="Fit the drawing (0)" onClick={p.onFit} text="⤢" />
          <button
            type="button"
            className="more-button"
            aria-expanded={more.open}
            aria-controls={more.id}
            onClick={more.toggle}
          >
            ⋯ More
          </button>
        </div>
      </div>
      <div className="more" id={more.id} data-open={more.open} role="group" aria-label="More">
        <div role="group" aria-label="Stroke width" className="group">
          {WIDTHS.map((w) => (
            <button
              key={w}
              type="button"
              aria-label={`Width ${w}`}
              aria-pressed={p.settings.width === w}
              disabled={off}
              onClick={() => set({ width: w })}
            >
              <span className="dot" style={{ width: Math.min(w, 14), height: Math.min(w, 14) }} />
            </button>
          ))}
          <input
            type="color"
            aria-label="Other colour"
            value={p.settings.color}
            disabled={off}
            onChange={(e) => set({ color: e.target.value })}
          />
        </div>
        <div role="group" aria-label="Zoom" className="group">
          <Action label="Zoom out (-)" onClick={() => p.onZoom(1 / 1.25)} text="−" />
          <Action label="Zoom in (+)" onClick={() => p.onZoom(1.25)} text="+" />
        </div>
        <div role="group" aria-label="Export and import" className="group">
          <button type="button" aria-label="Export PNG" onClick={exportAs('png')}>
            PNG
          </button>
          <button type="button" aria-label="Export SVG" onClick={exportAs('svg')}>
            SVG
          </button>
          <button type="button" aria-label="Export JSON snapshot" onClick={exportAs('json')}>
            JSON
          </button>
          <button
            type="button"
            aria-label="Export PDF of the whole board"
            onClick={exportAs('pdf')}
          >
            PDF
          </button>
          <button
            type="button"
            aria-label="Export PDF of the current view"
            onClick={exportAs('pdf-view')}
          >
            PDF view
          </button>
          <SnapshotInput
            text="Import"
            label="Import a JSON snapshot (add)"
            disabled={off}
            onChange={importFile(false)}
          />
          {(p.canReplace ?? true) && (
            <SnapshotInput
              text="Replace"
              label="Import a JSON snapshot (replace the board)"
              disabled={off}
              onChange={importFile(true)}
            />
          )}
        </div>
        {p.children && <div className="group">{p.children}</div>}
      </div>
    </nav>
  );
}

/** "More": opens and closes with its button, closes on Escape and on a press outside the bar. */
function useMoreMenu() {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
  return {
    open,
    id,
    root,
    toggle: () => setOpen((o) => !o),
    close: () => setOpen(false),
  };
}

/** A button whose label (with its shortcut) is both its accessible name and its tooltip. */
function Action(props: { label: string; text: string; onClick: () => void; disabled?: boolean }) {
  return (
    <button
      type="button"
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.text}
    </button>
  );
}

/** A file picker for JSON snapshots, styled as a toolbar button. */
function SnapshotInput(props: {
  text: string;
  label: string;
  disabled: boolean;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  return (
    <label className="file" aria-disabled={props.disabled}>
      {props.text}
      <input
        type="file"
        accept=".json,application/json"
        aria-label={props.label}
        disabled={props.disabled}
        onChange={props.onChange}
      />
    </label>
  );
}
