// The board page: the canvases, the connection badge, the tool bar, and the
// keyboard shortcuts; in a class, the member's role and rights around them.
// The drawing itself lives in BoardSession.
import { useRef, useState } from 'react';
import type { MemberState } from '../class/types';
import {
  ClearBoardButton,
  LockOverlay,
  RoleBadge,
  ViewOnlyBanner,
  viewOnlyReason,
} from '../class/ClassChrome';
import { boardPng, download, exportName, jsonBlob, readSnapshotFile, svgBlob } from '../io/export';
import type { Refusal } from '../net/connection';
import { savedName } from '../net/identity';
import type { EditRights } from './session';
import { StatusBadge } from './StatusBadge';
import { TextEditor } from './TextEditor';
import { Toast } from './Toast';
import { Toolbar } from './Toolbar';
import type { ToolSettings } from './tools';
import { useBoardSession } from './useBoardSession';
import { useShortcuts } from './useShortcuts';

/** A class member's seat on the board: their token and live state from the hub. */
export interface ClassSeat {
  token: string;
  state: MemberState;
  /** The hub closed the board to this token: the class page asks it why. */
  onAccessRefused(): void;
}

const OPEN_ROOM: EditRights = { canEdit: true, changeAll: true };

function rightsOf(seat: ClassSeat | undefined): EditRights {
  if (!seat) return OPEN_ROOM;
  return { canEdit: seat.state.canEdit, changeAll: seat.state.member.role === 'teacher' };
}

function refusalText(r: Refusal): string {
  const detail = r.reason.replace(/^(refused|read-only):\s*/, '') || 'no reason given';
  if (!r.stale) return `The hub closed this board: ${detail}. Reload the page to try again.`;
  const why = r.reason.startsWith('read-only:')
    ? 'Your change was not saved: you cannot draw on this board now.'
    : `Your change was refused: ${detail}.`;
  return `${why} The board shows the class's copy again.`;
}

export function BoardPage({ room, seat }: { room: string; seat?: ClassSeat }) {
  const surface = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const [settings, setSettings] = useState<ToolSettings>({
    tool: 'pen',
    color: '#1e1e1e',
    width: 4,
  });
  const [text, setText] = useState<{ board: [number, number]; screen: [number, number] } | null>(
    null,
  );
  const [message, setMessage] = useState('');
  const rights = rightsOf(seat);
  const locked = seat?.state.locked ?? false;
  const { session, state, history, peers, refusal, dismissRefusal } = useBoardSession({
    room,
    token: seat?.token,
    name: seat ? seat.state.member.name : savedName(),
    author: seat?.state.member.id,
    surface,
    base,
    overlay,
    settings: () => settings,
    rights: () => rights,
    onText: (board, screen) => setText({ board, screen }),
    onAccessRefused: () => seat?.onAccessRefused(),
  });
  useShortcuts(session, rights.canEdit, (tool) => setSettings((old) => ({ ...old, tool })));

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

  const viewOnly = seat && viewOnlyReason(seat.state);
  return (
    <div className="board-page">
      <div className="board-frame" inert={locked}>
        <header className="topbar">
          <a href="/" className="home" aria-label="Leave the board">
            Lanboard
          </a>
          <span className="room" aria-label={seat ? 'Class' : 'Room'}>
            {seat?.state.title ? `${seat.state.title} (${room})` : room}
          </span>
          {seat && <RoleBadge state={seat.state} />}
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
            aria-label={`Board ${room}: ${rights.canEdit ? 'draw here' : 'view only'}`}
            role="img"
          />
          {viewOnly && <ViewOnlyBanner reason={viewOnly} />}
          {text && (
            <TextEditor
              at={text.screen}
              onDone={(value) => {
                if (value && rights.canEdit)
                  session.current?.addText(text.board, value, settings.color, settings.width);
                setText(null);
              }}
            />
          )}
        </div>
        <Toolbar
          settings={settings}
          onChange={setSettings}
          readOnly={!rights.canEdit}
          canReplace={rights.changeAll}
          canUndo={history.undo}
          canRedo={history.redo}
          onUndo={() => session.current?.model.undo()}
          onRedo={() => session.current?.model.redo()}
          onZoom={(f) => session.current?.zoom(f)}
          onFit={() => session.current?.fitView()}
          onExport={(k) => void exportBoard(k)}
          onImport={(f, r) => void importBoard(f, r)}
        >
          {seat?.state.member.role === 'teacher' && (
            <ClearBoardButton onClear={() => session.current?.clearBoard()} />
          )}
        </Toolbar>
      </div>
      {locked && <LockOverlay />}
      {refusal && <Toast key={refusal.id} text={refusalText(refusal)} onDismiss={dismissRefusal} />}
    </div>
  );
}
