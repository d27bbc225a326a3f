// Who this device is on the board: a display name the student typed on the
// join page, a device id for authorship, and the tokens the hub issued for the
// classes this device joined. All live in localStorage, which (unlike
// crypto.randomUUID) exists on plain-http LAN pages.

const NAME_KEY = 'lanboard.name';
const DEVICE_KEY = 'lanboard.device';

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled: names are per page then
  }
}

export function savedName(): string {
  return storage()?.getItem(NAME_KEY)?.trim() ?? '';
}

export function saveName(name: string): void {
  storage()?.setItem(NAME_KEY, name.trim().slice(0, 40));
}

const tokenKey = (code: string) => `lanboard.class.${code}.token`;

export function classToken(code: string): string | undefined {
  return storage()?.getItem(tokenKey(code)) || undefined;
}

export function saveClassToken(code: string, token: string): void {
  storage()?.setItem(tokenKey(code), token);
}

export function forgetClassToken(code: string): void {
  storage()?.removeItem(tokenKey(code));
  storage()?.removeItem(writersKey(code));
}

const removedKey = (code: string) => `lanboard.class.${code}.removed`;

/**
 * The token of a member the teacher removed, kept aside: this browser's next
 * join sends it, so the hub makes that join wait for the teacher. Clearing the
 * browser's storage loses it; the hub then still matches the removed name.
 */
export function removedClassToken(code: string): string | undefined {
  return storage()?.getItem(removedKey(code)) || undefined;
}

export function setAsideRemovedToken(code: string): void {
  const token = classToken(code);
  if (token) storage()?.setItem(removedKey(code), token);
  forgetClassToken(code);
}

const writersKey = (code: string) => `lanboard.class.${code}.writers`;
/** Each reload or fresh start after a refusal writes under a new client ID; the oldest are dropped past this. */
const MAX_WRITERS = 200;

/**
 * The Yjs client IDs this device has written under in a class, this one
 * included (it is remembered). The hub binds each to the member, so these
 * shapes' insides are the member's own.
 */
export function classWriters(code: string, clientId: number): Set<number> {
  return new Set(rememberClassWriters(code, [clientId]));
}

/** The client IDs this device has written under in a class, as stored. */
export function knownClassWriters(code: string): number[] {
  let known: unknown;
  try {
    known = JSON.parse(storage()?.getItem(writersKey(code)) ?? '[]');
  } catch {
    known = [];
  }
  return (Array.isArray(known) ? known : []).filter((id): id is number => Number.isSafeInteger(id));
}

/** Adds `ids` (newest last) to the class's writers; the whole list, as kept. */
export function rememberClassWriters(code: string, ids: readonly unknown[]): number[] {
  const added = ids.filter((id): id is number => Number.isSafeInteger(id));
  const kept = [...knownClassWriters(code).filter((id) => !added.includes(id)), ...added].slice(
    -MAX_WRITERS,
  );
  storage()?.setItem(writersKey(code), JSON.stringify(kept));
  return kept;
}

/**
 * A teacher's link carries the token as `#token=…`: read it once and take it
 * out of the address bar, so it is not left in history or copied on by accident.
 */
export function takeFragmentToken(): string | undefined {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token === null) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  return token || undefined;
}

/** Math.random is enough here: the id names a device, it proves nothing. */
export function deviceId(): string {
  const s = storage();
  let id = s?.getItem(DEVICE_KEY) ?? '';
  if (!/^[a-z0-9]{8,32}$/.test(id)) {
    id = Array.from({ length: 16 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    s?.setItem(DEVICE_KEY, id);
  }
  return id;
}

const CURSOR_COLORS = [
  '#e03131',
  '#1971c2',
  '#2f9e44',
  '#f08c00',
  '#9c36b5',
  '#0c8599',
  '#d6336c',
  '#5f3dc4',
];

export const cursorColor = (clientId: number): string =>
  CURSOR_COLORS[clientId % CURSOR_COLORS.length]!;

export const fallbackName = (clientId: number): string => `Student ${(clientId % 900) + 100}`;

/** Room codes: letters, digits, `-` and `_`, lower-cased, as typed on a phone. */
export function normalizeRoom(raw: string): string | undefined {
  const room = raw.trim().toLowerCase();
  return /^[a-z0-9_-]{1,64}$/.test(room) ? room : undefined;
}
