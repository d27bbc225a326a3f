// The tool bar: tools, colours, widths, undo and redo, zoom, export and import,
// and whatever the page adds at the end (the teacher's Clear board). On a
// view-only board everything that edits is disabled; zoom and export stay.
import type { ChangeEvent, ReactNode } from 'react';
import { COLORS, TOOLS, WIDTHS } from './tools';
import type { ToolSettings } from './tools';

export interface ToolbarProps {
  settings: ToolSettings;
  onChange: (s: ToolSettings) => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onZoom: (factor: number) => void;
  onFit: () => void;
  onExport: (kind: 'png' | 'svg' | 'json') => void;
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
  const importFile = (replace: boolean) => (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) p.onImport(file, replace);
  };
  return (
    <nav className="toolbar" aria-label="Board tools">
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
        <input
          type="color"
          aria-label="Other colour"
          value={p.settings.color}
          disabled={off}
          onChange={(e) => set({ color: e.target.value })}
        />
      </div>
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
      </div>
      <div role="group" aria-label="History and view" className="group">
        <Action label="Undo (Ctrl+Z)" disabled={off || !p.canUndo} onClick={p.onUndo} text="↶" />
        <Action
          label="Redo (Ctrl+Shift+Z)"
          disabled={off || !p.canRedo}
          onClick={p.onRedo}
          text="↷"
        />
        <Action label="Zoom out (-)" onClick={() => p.onZoom(1 / 1.25)} text="−" />
        <Action label="Zoom in (+)" onClick={() => p.onZoom(1.25)} text="+" />
        <Action label="Fit the drawing (0)" onClick={p.onFit} text="⤢" />
      </div>
      <div role="group" aria-label="Export and import" className="group">
        <button type="button" aria-label="Export PNG" onClick={() => p.onExport('png')}>
          PNG
        </button>
        <button type="button" aria-label="Export SVG" onClick={() => p.onExport('svg')}>
          SVG
        </button>
        <button type="button" aria-label="Export JSON snapshot" onClick={() => p.onExport('json')}>
          JSON
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
    </nav>
  );
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
