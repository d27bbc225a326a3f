// The board page: the canvases, the connection badge, the tool bar, and the
// keyboard shortcuts; in a class, the member's role and rights around them.
// The drawing itself lives in BoardSession.
import { useEffect, useRef, useState } from 'react';
import type { MemberState } from '../class/types';
import {
  ClearBoardButton,
  LockOverlay,
  RoleBadge,
  ViewOnlyBanner,
  viewOnlyReason,
} from '../class/ClassChrome';
import {
  boardPdf,
  boardPng,
  download,
  exportName,
  jsonBlob,
  readSnapshotFile,
  svgBlob,
} from '../io/export';
import type { ExportKind } from '../io/export';
import type { Refusal } from '../net/connection';
import { savedName } from '../net/identity';
import type { EditRights } from './session';
import { StatusBadge } from './StatusBadge';
import { TextEditor } from './TextEditor';
import { Toast } from './Toast';
import type { ToastTone } from './Toast';
import { Toolbar } from './Toolbar';
import type { Tool, ToolSettings } from './tools';
import { textLayout } from '../model/geometry';
import { fontSize } from '../model/shape';
import type { Shape } from '../model/shape';
import { useBoardSession } from './useBoardSession';
import { ChatDock } from '../chat/ChatDock';
import { LessonChrome } from '../class/LessonChrome';
import type { LessonProps } from '../class/LessonChrome';
import { usePrintSheet } from './usePrintSheet';
import { useShortcuts } from './useShortcuts';

/** A class member's seat on the board: their token and live state from the hub. */
export interface ClassSeat {
  token: string;
  state: MemberState;
  /** The hub closed the board to this token: the class page asks it why. */
  onAccessRefused(): void;
  /** Which board is shown and why, and the moves between boards. */
  lesson: Pick<LessonProps, 'shown' | 'onLeave' | 'onOpen'>;
}

const OPEN_ROOM: EditRights = { canEdit: true, changeAll: true };

function rightsOf(seat: ClassSeat | undefined): EditRights {
  if (!seat) return OPEN_ROOM;
  return {
    canEdit: seat.state.canEdit && !seat.lesson.shown.readOnly,
    changeAll: seat.state.member.role === 'teacher',
  };
}

function refusalText(r: Refusal): string {
  const detail = r.reason.replace(/^(refused|read-only):\s*/, '') || 'no reason given';
  if (!r.stale) return `The hub closed this board: ${detail}. Reload the page to try again.`;
  const why = r.reason.startsWith('read-only:')
    ? 'Your change was not saved: you cannot draw on this board now.'
    : `Your change was refused: ${detail}.`;
  return `${why} The board shows the class's copy again.`;
}

/** The PDF's font has Western European letters only (renderer/board/src/io/pdf.ts). */
const unprintable = (n: number) =>
  `PDF saved. ${n} character${n === 1 ? '' : 's'} its font cannot show (letters outside Western European alphabets, emoji) ${n === 1 ? 'is' : 'are'} printed as "?".`;

/** A text being written: a new one at a board point, or an existing one (`id`). */
interface TextEdit {
  board: [number, number];
  /** Where the editor goes, in CSS px from the board's top left. */
  screen: [number, number];
  fontPx: number;
  id?: string;
  initial?: string;
}

function editOf(shape: Shape, view: { scale: number; ox: number; oy: number }): TextEdit {
  const t = textLayout(shape);
  return {
    board: [t.x, t.y],
    screen: [t.x * view.scale + view.ox, t.y * view.scale + view.oy],
    fontPx: t.size * view.scale,
    id: shape.id,
    initial: shape.text,
  };
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
  const [text, setText] = useState<TextEdit | null>(null);
  // The tool a text returns to once written (the Text tool is for one text at a time).
  const drawingTool = useRef<Tool>('pen');
  useEffect(() => {
    if (settings.tool !== 'text') drawingTool.current = settings.tool;
  }, [settings.tool]);
  // Numbered, so the same words twice are still a new toast.
  const [notice, setNotice] = useState<{ id: number; text: string; tone: ToastTone } | null>(null);
  const say = (text: string, tone: ToastTone = 'alert') =>
    setNotice((old) => ({ id: (old?.id ?? 0) + 1, text, tone }));
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
    onText: (board, screen) => {
      const scale = session.current?.renderer.currentView.scale ?? 1;
      setText({ board, screen, fontPx: fontSize(settings.width) * scale });
    },
    onNotice: (text) => say(text),
    onEditText: (shape) => {
      const view = session.current?.renderer.currentView;
      if (view) setText(editOf(shape, view));
    },
    onAccessRefused: () => seat?.onAccessRefused(),
  });
  const printSheet = usePrintSheet(session);
  useShortcuts(session, rights.canEdit, (tool) => setSettings((old) => ({ ...old, tool })));

  const exportBoard = async (kind: ExportKind) => {
    const s = session.current;
    if (!s) return;
    const shapes = s.model.all();
    const pdf = kind === 'pdf' || kind === 'pdf-view';
    try {
      if (pdf) {
        const out = await boardPdf(room, shapes, kind === 'pdf-view' ? s.visibleArea() : undefined);
        download(out.blob, exportName(room, 'pdf'));
        if (out.replaced > 0) say(unprintable(out.replaced), 'note');
        return;
      }
      const blob =
        kind === 'png'
          ? await boardPng(shapes)
          : kind === 'svg'
            ? svgBlob(shapes)
            : jsonBlob(room, shapes);
      download(blob, exportName(room, kind));
    } catch (err) {
      say(`Cannot export ${pdf ? 'PDF' : kind.toUpperCase()}: ${(err as Error).message}`);
    }
  };

  const importBoard = async (file: File, replace: boolean) => {
    try {
      const snapshot = await readSnapshotFile(file);
      session.current?.importSnapshot(snapshot, replace);
      say(`Imported ${snapshot.shapes.length} shapes.`, 'note');
    } catch (err) {
      say(`Cannot import ${file.name}: ${(err as Error).message}`);
    }
  };

  const viewOnly = seat && viewOnlyReason(seat.state);
  return (
    <div className="board-page">
      <div className="board-frame" inert={locked}>
        <header className="topbar">
          <div className="line">
            <a href="/" className="home" aria-label="Leave the board">
              Lanboard
            </a>
            <span className="room" aria-label={seat ? 'Class' : 'Room'}>
              {/* A class's boards all go by its code (a student's own board's room is long). */}
              {seat?.state.title
                ? `${seat.state.title} (${seat.state.code})`
                : (seat?.state.code ?? room)}
            </span>
          </div>
          <div className="line">
            {seat && <RoleBadge state={seat.state} />}
            <StatusBadge state={state} />
            <span className="peers">
              {peers === 0 ? 'Nobody else here' : `${peers} other${peers === 1 ? '' : 's'} here`}
            </span>
          </div>
        </header>
        <div className="surface" ref={surface} data-tool={settings.tool}>
          <canvas ref={base} className="layer" aria-hidden="true" />
          <canvas
            ref={overlay}
            className="layer input"
            aria-label={`Board ${room}: ${rights.canEdit ? 'draw here' : 'view only'}`}
            role="img"
          />
          {seat && (
            <LessonChrome
              state={seat.state}
              token={seat.token}
              session={session}
              {...seat.lesson}
            />
          )}
          {viewOnly && <ViewOnlyBanner reason={viewOnly} />}
          {seat && <ChatDock state={seat.state} token={seat.token} />}
          <div className="toasts">
            {refusal && (
              <Toast key={refusal.id} text={refusalText(refusal)} onDismiss={dismissRefusal} />
            )}
            {notice && (
              <Toast
                key={`notice-${notice.id}`}
                text={notice.text}
                tone={notice.tone}
                onDismiss={() => setNotice(null)}
              />
            )}
          </div>
          {text && (
            <TextEditor
              key={`${text.id ?? 'new'} ${text.screen.join(' ')}`}
              at={text.screen}
              initial={text.initial}
              fontPx={text.fontPx}
              onDone={(value) => {
                if (rights.canEdit) {
                  if (text.id) session.current?.editText(text.id, value);
                  else session.current?.addText(text.board, value, settings.color, settings.width);
                }
                setText(null);
                setSettings((old) =>
                  old.tool === 'text' ? { ...old, tool: drawingTool.current } : old,
                );
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
      {/* A locked screen prints as it shows: the lock, not the board. */}
      {!locked && <div className="print-sheet" ref={printSheet} aria-hidden="true" />}
    </div>
  );
}
