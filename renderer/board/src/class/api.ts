// The hub's classroom API, as the board page calls it (the routes and their
// answers are listed in server/classroom/api-types.ts). Every call resolves:
// a network failure is status 0, so callers handle one shape.
import type {
  BoardMode,
  ClassInfo,
  JoinReply,
  MemberState,
  Presentation,
  StudentBoard,
} from './types';

export type ApiResult<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

const base = (code: string) => `/api/classes/${encodeURIComponent(code)}`;

async function call<T>(path: string, init?: RequestInit): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, { cache: 'no-store', ...init });
  } catch (err) {
    return { ok: false, status: 0, error: (err as Error).message };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, value: body as T };
  const error = (body as { error?: unknown } | undefined)?.error;
  return {
    ok: false,
    status: response.status,
    error: typeof error === 'string' ? error : response.statusText,
  };
}

/** 404 means the room is a plain room, not a class. */
export const classInfo = (raw: string) => call<ClassInfo>(base(raw));

/** `removedToken`: this browser's token from before the teacher removed it (the join then waits). */
export const joinClass = (code: string, name: string, removedToken?: string) =>
  call<JoinReply>(`${base(code)}/join`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(removedToken ? { Authorization: `Bearer ${removedToken}` } : {}),
    },
    body: JSON.stringify({ name }),
  });

export const memberState = (code: string, token: string) =>
  call<MemberState>(`${base(code)}/me`, { headers: { Authorization: `Bearer ${token}` } });

/** The member's live state (`state`, `removed`): EventSource cannot send headers. */
export const eventsUrl = (code: string, token: string) =>
  `${base(code)}/events?token=${encodeURIComponent(token)}`;

const teacherCall = <T>(
  code: string,
  token: string,
  path: string,
  method: string,
  body?: unknown,
) =>
  call<T>(`${base(code)}/${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** The teacher's page: what everyone is shown (docs/protocols/classroom.md#presenting). */
export const setPresentation = (code: string, token: string, presentation: Presentation) =>
  teacherCall<Presentation>(code, token, 'presentation', 'PUT', presentation);

/** The teacher's page: one board for the class, or each student on their own. */
export const setBoardMode = (code: string, token: string, mode: BoardMode) =>
  teacherCall<{ mode: BoardMode }>(code, token, 'mode', 'PUT', { mode });

/** The teacher's page: the students and their own boards. */
export const studentBoards = (code: string, token: string) =>
  teacherCall<StudentBoard[]>(code, token, 'students', 'GET');
