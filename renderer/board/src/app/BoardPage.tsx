// The board page: the canvases, the connection badge, the tool bar, and the
// keyboard shortcuts. The drawing itself lives in BoardSession.
import { useEffect, useRef, useState } from 'react';
import { fallbackName, savedName } from '../net/identity';
import type { ConnectionState } from '../net/connection';
import { boardPng, download, exportName, jsonBlob, readSnapshotFile, svgBlob } from '../io/export';
import { BoardSession } from './session';
import { StatusBadge } from './StatusBadge';
import { TextEditor } from './TextEditor';
import { Toolbar } from './Toolbar';
import { TOOLS } from './tools';
import type { ToolSettings } from './tools';

declare global {
  interface Window {
    /** Set with `?debug`: the session, for tests and the benchmark. */
    __lanboard?: BoardSession;
  }
}

export function BoardPage({ room }: { room: string }) {
  const surface = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const session = useRef<BoardSession | null>(null);
  const [settings, setSettings] = useState<ToolSettings>({
    tool: 'pen',
    color: '#1e1e1e',
    width: 4,
  });
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const [state, setState] = useState<ConnectionState>('connecting');
  const [history, setHistory] = useState({ undo: false, redo: false });
  const [peers, setPeers] = useState(0);
  const [text, setText] = useState<{ board: [number, number]; screen: [number, number] } | null>(
    null,
  );
  const [message, setMessage] = useState('');

  useEffect(() => {
    const s = new BoardSession({
      room,
      name: savedName(),
      base: base.current!,
      overlay: overlay.current!,
      surface: surface.current!,
      settings: () => settingsRef.current,
      onCursor: () => {},
      onSelect: () => {},
      onText: (board, screen) => setText({ board, screen }),
    });
    if (!savedName()) s.presence.rename(fallbackName(s.doc.clientID));
    session.current = s;
    if (new URLSearchParams(location.search).has('debug')) window.__lanboard = s;
    const um = s.model.undoManager;
    const syncHistory = () => setHistory({ undo: um.canUndo(), redo: um.canRedo() });
    um.on('stack-item-added', syncHistory);
    um.on('stack-item-popped', syncHistory);
    um.on('stack-cleared', syncHistory);
    const offState = s.connection.onState(setState);
    const offPeers = s.presence.onChange(() => setPeers(s.presence.peers().length));
    return () => {
      offState();
      offPeers();
      s.destroy();
      session.current = null;
    };
  }, [room]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = session.current;
      if (!s || (e.target as HTMLElement).closest('input, textarea')) return;
      const key = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) s.model.redo();
        else s.model.undo();
      } else if ((e.ctrlKey || e.metaKey) && key === 'y') {
        e.preventDefault();
        s.model.redo();
      } else if (e.ctrlKey || e.metaKey || e.altKey) {
        return;
      } else if (key === 'delete' || key === 'backspace') {
        s.deleteSelection();
      } else if (key === '+' || key === '=') {
        s.zoom(1.25);
      } else if (key === '-') {
        s.zoom(1 / 1.25);
      } else if (key === '0') {
        s.fitView();
      } else {
        const tool = TOOLS.find((t) => t.key === key);
        if (tool) setSettings((old) => ({ ...old, tool: tool.tool }));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const exportBoard = async (kind: 'png' | 'svg' | 'json') => {
    const s = session.current;
    if (!s) return;
    const shapes = s.model.all();
    const blob =
      kind === 'png'
        ? await boardPng(shapes)
        : kind === 'svg'
          ? svgBlob(shapes)
          : jsonBlob(room, shapes);
    download(blob, exportName(room, kind));
  };

  const importBoard = async (file: File, replace: boolean) => {
    try {
      const snapshot = await readSnapshotFile(file);
      session.current?.importSnapshot(snapshot, replace);
      setMessage(`Imported ${snapshot.shapes.length} shapes.`);
    } catch (err) {
      setMessage(`Cannot import ${file.name}: ${(err as Error).message}`);
    }
  };

  return (
    <div className="board-page">
      <header className="topbar">
        <a href="/" className="home" aria-label="Leave the board">
          Lanboard
        </a>
        <span className="room" aria-label="Room">
          {room}
        </span>
        <StatusBadge state={state} />
        <span className="peers">
          {peers === 0 ? 'Nobody else here' : `${peers} other${peers === 1 ? '' : 's'} here`}
        </span>
        {message && (
          <span className="message" role="status">
            {message}
          </span>
        )}
      </header>
      <div className="surface" ref={surface} data-tool={settings.tool}>
        <canvas ref={base} className="layer" aria-hidden="true" />
        <canvas
          ref={overlay}
          className="layer input"
          aria-label={`Board ${room}: draw here`}
          role="img"
        />
        {text && (
          <TextEditor
            at={text.screen}
            onDone={(value) => {
              if (value)
                session.current?.addText(text.board, value, settings.color, settings.width);
              setText(null);
            }}
          />
        )}
      </div>
      <Toolbar
        settings={settings}
        onChange={setSettings}
        canUndo={history.undo}
        canRedo={history.redo}
        onUndo={() => session.current?.model.undo()}
        onRedo={() => session.current?.model.redo()}
        onZoom={(f) => session.current?.zoom(f)}
        onFit={() => session.current?.fitView()}
        onExport={(k) => void exportBoard(k)}
        onImport={(f, r) => void importBoard(f, r)}
      />
    </div>
  );
}
