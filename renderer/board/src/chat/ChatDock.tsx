// The class's chat on the board: a button over the board's corner (with the
// count of messages not yet seen) that opens a panel beside the drawing, the
// whole width on a phone. Shown only while the teacher has the chat on (to the
// teacher too: a chat nobody else can join is no use). Who
// wrote what is the hub's word: the teacher is marked by role, never by name,
// and your own messages by your member ID.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { MemberState } from '../class/types';
import { useClassChat } from './useClassChat';
import type { ChatLine } from './useClassChat';

/** As ChatMaxMessageChars by default; the hub has the last word (it closes longer ones). */
const MAX_CHARS = 2000;

export function ChatDock({ state, token }: { state: MemberState; token: string }) {
  const on = state.chat.open;
  const chat = useClassChat(state.code, token, on);
  const [open, setOpen] = useState(false);
  const [seen, setSeen] = useState(0);
  const [draft, setDraft] = useState('');
  const panelId = useId();
  const log = useRef<HTMLOListElement>(null);
  const messages = chat.lines.filter((l) => l.kind === 'message');
  const last = messages.at(-1)?.n ?? 0;
  useEffect(() => {
    if (open) setSeen(last);
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [open, last]);
  if (!on) return null;
  const unread = messages.filter((l) => l.n > seen).length;
  const canPost = state.chat.canPost && chat.status === 'open';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text || !canPost) return;
    chat.send(text);
    setDraft('');
  };
  return (
    <>
      <button
        type="button"
        className="chat-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        Chat
        {!open && unread > 0 && (
          <span className="chat-unread" aria-label={`${unread} new`}>
            {unread}
          </span>
        )}
      </button>
      <aside className="chat-panel" id={panelId} hidden={!open} aria-label="Class chat">
        <header>
          <h2>Class chat</h2>
          <button type="button" aria-label="Close the chat" onClick={() => setOpen(false)}>
            ×
          </button>
        </header>
        <ol className="chat-log" role="log" aria-live="polite" ref={log}>
          {chat.lines.map((l) => (
            <Line key={l.n} line={l} you={l.id === state.member.id} />
          ))}
        </ol>
        <p className="chat-note" role="status">
          {chatNote(state, chat.status, chat.refused)}
        </p>
        <form className="chat-form" onSubmit={submit}>
          <input
            aria-label="Message to the class"
            value={draft}
            maxLength={MAX_CHARS}
            disabled={!canPost}
            enterKeyHint="send"
            autoComplete="off"
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" disabled={!canPost || !draft.trim()}>
            Send
          </button>
        </form>
      </aside>
    </>
  );
}

/** A student who joined as "Teacher" (or "Mr Teacher") is labelled a student where it counts. */
const posesAsTeacher = (line: ChatLine) =>
  line.role !== 'teacher' && /teacher/i.test(line.name.replace(/\s+/g, ''));

function Line({ line, you }: { line: ChatLine; you: boolean }) {
  const who = you ? 'You' : posesAsTeacher(line) ? `${line.name} (student)` : line.name;
  const teacher = line.role === 'teacher';
  if (line.kind !== 'message') {
    return (
      <li className="chat-event">
        {who} {line.kind === 'join' ? 'joined' : 'left'}
      </li>
    );
  }
  return (
    <li data-you={you} data-teacher={teacher}>
      <span className="chat-who">
        {who}
        {teacher && <span className="chat-role">Teacher</span>}
      </span>
      <span className="chat-text">{line.text}</span>
    </li>
  );
}

function chatNote(state: MemberState, status: string, refused?: string): string {
  if (refused) return `The chat is closed: ${refused}.`;
  if (status !== 'open') return 'Connecting to the chat…';
  if (!state.chat.canPost) return 'You can read the chat but not write in it now.';
  return '';
}
