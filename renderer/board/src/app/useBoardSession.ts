// The board session's life in React: created when the page mounts, replaced
// by a fresh one (a new Y.Doc and provider, filled from the hub) when the hub
// refused edits this copy still holds, destroyed when the page goes.
import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import * as Y from 'yjs';
import type { Shape } from '../model/shape';
import type { View } from '../render/view';
import type { ConnectionState, Refusal } from '../net/connection';
import { fallbackName } from '../net/identity';
import { BoardSession } from './session';
import type { EditRights } from './session';
import type { ToolSettings } from './tools';

declare global {
  interface Window {
    /** Set with `?debug`: the session, for tests and the benchmark. */
    __lanboard?: BoardSession;
    /** Set with `?debug`: the page's own Yjs, so a test can forge updates the hub must refuse. */
    __lanboardYjs?: typeof Y;
  }
}

export interface SessionSetup {
  room: string;
  /** A class member's token; a new token means a new session. */
  token?: string;
  /** The presence name; empty: a made-up one. */
  name: string;
  author?: string;
  surface: RefObject<HTMLDivElement | null>;
  base: RefObject<HTMLCanvasElement | null>;
  overlay: RefObject<HTMLCanvasElement | null>;
  settings(): ToolSettings;
  rights(): EditRights;
  onText(board: [number, number], screen: [number, number]): void;
  onEditText(shape: Shape): void;
  /** Something to tell the user at once (a toast): why the eraser left a shape, say. */
  onNotice(text: string): void;
  /** The hub closed the room to this token (4401, 4403, 4404). */
  onAccessRefused?(): void;
}

export function useBoardSession(setup: SessionSetup) {
  const session = useRef<BoardSession | null>(null);
  const latest = useRef(setup);
  latest.current = setup;
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<ConnectionState>('connecting');
  const [history, setHistory] = useState({ undo: false, redo: false });
  const [peers, setPeers] = useState(0);
  // Numbered, so the same reason twice is still a new message.
  const [refusal, setRefusal] = useState<(Refusal & { id: number }) | null>(null);
  const { room, token, name, author } = setup;
  // A session replaced after a refusal hands its view on: the board must not move under the user.
  const keptView = useRef<{ key: string; view: View } | null>(null);

  useEffect(() => {
    const key = `${room} ${token ?? ''}`;
    const s = new BoardSession({
      view: keptView.current?.key === key ? keptView.current.view : undefined,
      room,
      token,
      name,
      author,
      base: setup.base.current!,
      overlay: setup.overlay.current!,
      surface: setup.surface.current!,
      settings: () => latest.current.settings(),
      rights: () => latest.current.rights(),
      onCursor: () => {},
      onSelect: () => {},
      onText: (board, screen) => latest.current.onText(board, screen),
      onEditText: (shape) => latest.current.onEditText(shape),
      onNotYours: (shape, action) => latest.current.onNotice(s.whyNotYours(shape, action)),
      onRefusal: (r) => {
        if (r.kind === 'access') return latest.current.onAccessRefused?.();
        setRefusal((old) => ({ ...r, id: (old?.id ?? 0) + 1 }));
        // Once per refusal: the fresh session holds no edits of its own, so it cannot loop.
        if (r.stale) setGeneration((g) => g + 1);
      },
    });
    if (!name) s.presence.rename(fallbackName(s.doc.clientID));
    session.current = s;
    if (new URLSearchParams(location.search).has('debug')) {
      window.__lanboard = s;
      window.__lanboardYjs = Y;
    }
    const um = s.model.undoManager;
    const syncHistory = () => setHistory({ undo: um.canUndo(), redo: um.canRedo() });
    syncHistory();
    um.on('stack-item-added', syncHistory);
    um.on('stack-item-popped', syncHistory);
    um.on('stack-cleared', syncHistory);
    setState(s.connection.state());
    const offState = s.connection.onState(setState);
    const offPeers = s.presence.onChange(() => setPeers(s.presence.peers().length));
    return () => {
      offState();
      offPeers();
      keptView.current = { key, view: s.renderer.currentView };
      s.destroy();
      session.current = null;
      if (window.__lanboard === s) delete window.__lanboard;
    };
    // The canvases and callbacks are read through refs: only these start a new session.
  }, [room, token, name, author, generation]);

  return { session, state, history, peers, refusal, dismissRefusal: () => setRefusal(null) };
}
