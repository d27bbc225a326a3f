// Following the hub when it moves (a restart onto another port or address).
// Its old address closes the board's socket with 4308 and the new base URL;
// the connection then syncs with the hub there (a WebSocket may cross origins),
// so edits made meanwhile reach it from this very page. Only then does the page
// go to the new address itself, where its storage is empty: a class member's
// token travels as a one-time handoff code in the fragment, never the token
// itself (server/moved/handoffs.ts; docs/protocols/classroom.md#when-the-hub-moves).
import {
  classToken,
  knownClassWriters,
  rememberClassWriters,
  saveName,
  savedName,
} from './identity';

/** The old address's close: the reason is the hub's new base URL. */
export const MOVED_CLOSE = 4308;

/** The base URL a moved close names, when it is one a page may go to. */
export function movedTo(reason: string): URL | undefined {
  try {
    const url = new URL(reason);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The Yjs endpoint at `base`, on the path this page uses. */
export function socketBase(base: URL, current: string): string {
  const path = new URL(current).pathname.replace(/\/+$/, '');
  return `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}${path}`;
}

/**
 * Opens this board at `base`. A class member asks the old address for a
 * handoff code first; when it cannot have one (the old address has stopped
 * answering), the page stays where it is, still connected to the new address,
 * rather than arrive as a stranger who must join again. `lost`: the page's own
 * address answers nothing any more (the hub's computer got a new address), so
 * no code can be had there: the token itself goes in the fragment, as in a
 * teacher's link, and the page there takes it out of the address bar at once.
 */
export async function goToMovedHub(base: URL, room: string, lost = false): Promise<boolean> {
  const target = new URL(`/board/${encodeURIComponent(room)}${location.search}`, base);
  const token = classToken(room);
  if (token && lost) {
    target.hash = `token=${encodeURIComponent(token)}`;
  } else if (token) {
    const code = await askHandoff(room, token);
    if (!code) return false;
    target.hash = `handoff=${encodeURIComponent(code)}`;
  }
  location.replace(target.href);
  return true;
}

async function askHandoff(room: string, token: string): Promise<string | undefined> {
  try {
    const reply = await fetch('/api/moved/handoff', {
      method: 'POST',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: savedName(), writers: knownClassWriters(room) }),
    });
    if (!reply.ok) return undefined;
    const body = (await reply.json()) as { handoff?: unknown };
    return typeof body.handoff === 'string' ? body.handoff : undefined;
  } catch {
    return undefined;
  }
}

/**
 * On arrival at the new address: the `#handoff=` code, taken out of the
 * address bar at once and traded with the hub for the token, name and writers
 * the page kept at the old address. Resolves to the token, saved for `room`.
 */
export async function takeHandoff(room: string): Promise<string | undefined> {
  const code = new URLSearchParams(location.hash.slice(1)).get('handoff');
  if (code === null) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  try {
    const reply = await fetch('/api/moved/redeem', {
      method: 'POST',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ handoff: code }),
    });
    if (!reply.ok) return undefined;
    const got = (await reply.json()) as { token?: unknown; name?: unknown; writers?: unknown };
    if (typeof got.token !== 'string') return undefined;
    if (typeof got.name === 'string' && got.name) saveName(got.name);
    if (Array.isArray(got.writers)) rememberClassWriters(room, got.writers);
    return got.token;
  } catch {
    return undefined;
  }
}
