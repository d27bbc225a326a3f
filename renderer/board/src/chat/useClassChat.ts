// The class's chat from the board page: the beej chat protocol at
// `<ChatPath>/<class code>?token=` (docs/protocols/chat.md#a-classs-chat). The
// hub names every sender (name, member ID, role): the page shows what the hub
// says and never trusts a name alone. Connected while the teacher has the chat
// on; reconnects after a drop; the last messages only are kept.
import { useEffect, useRef, useState } from 'react';

export const CHAT_SUBPROTOCOL = 'beej-chat-protocol';
/** What the page keeps: a long lesson's chat does not grow the page without end. */
const KEPT = 200;
const RETRY_MS = 3000;

export interface ChatLine {
  /** Increasing, for React keys. */
  n: number;
  kind: 'message' | 'join' | 'leave';
  name: string;
  id?: string;
  role?: string;
  text: string;
}

export type ChatStatus = 'connecting' | 'open' | 'closed';

export interface ClassChat {
  lines: ChatLine[];
  status: ChatStatus;
  /** Why the hub closed it, when it did on purpose (the chat turned off, a kick). */
  refused?: string;
  send(text: string): void;
}

function chatUrl(code: string, token: string): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="lanboard-chat-path"]');
  const path = (meta?.content || '/chat').replace(/\/+$/, '');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${path}/${code}?token=${encodeURIComponent(token)}`;
}

interface Payload {
  username?: unknown;
  message?: unknown;
  id?: unknown;
  role?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function useClassChat(code: string, token: string, open: boolean): ClassChat {
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [status, setStatus] = useState<ChatStatus>('closed');
  const [refused, setRefused] = useState<string>();
  const socket = useRef<WebSocket | null>(null);
  const counter = useRef(0);

  useEffect(() => {
    if (!open) return;
    let stopped = false;
    let timer = 0;
    const connect = () => {
      setStatus('connecting');
      const ws = new WebSocket(chatUrl(code, token), CHAT_SUBPROTOCOL);
      socket.current = ws;
      ws.onopen = () => {
        setStatus('open');
        setRefused(undefined);
      };
      ws.onmessage = (e) => {
        let parsed: { type?: unknown; payload?: Payload };
        try {
          parsed = JSON.parse(String(e.data)) as typeof parsed;
        } catch {
          return;
        }
        const p = parsed.payload ?? {};
        const kind =
          parsed.type === 'chat-message'
            ? 'message'
            : parsed.type === 'chat-join'
              ? 'join'
              : parsed.type === 'chat-leave'
                ? 'leave'
                : undefined;
        if (!kind) return;
        const line: ChatLine = {
          n: ++counter.current,
          kind,
          name: str(p.username) ?? '',
          id: str(p.id),
          role: str(p.role),
          text: str(p.message) ?? '',
        };
        setLines((old) => [...old.slice(-(KEPT - 1)), line]);
      };
      ws.onclose = (e) => {
        if (socket.current === ws) socket.current = null;
        setStatus('closed');
        // 4401-4404: the hub's answer (off, removed, no class): no point in asking again.
        if (e.code >= 4400 && e.code < 4500) return setRefused(e.reason || 'the chat is closed');
        if (!stopped) timer = window.setTimeout(connect, RETRY_MS);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket.current?.close();
      socket.current = null;
    };
  }, [code, token, open]);

  return {
    lines,
    status,
    refused,
    send: (text) => {
      const ws = socket.current;
      if (ws?.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: 'chat-message', payload: { message: text } }));
    },
  };
}
