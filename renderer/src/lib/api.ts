// Calls to the admin API, with the login cookie (lib/login.ts), which the
// browser sends by itself. The base is where the page was served from
// (AdminPath), found from this script's own URL.
import type {
  ClassDetail,
  ClassPatch,
  ClassSummary,
  ConfigErrorsReply,
  ConfigUpdateReply,
  ConfigView,
  HistoryRange,
  HistoryReply,
  LogEntry,
  MemberView,
  RestartReply,
  SelftestReply,
  Snapshot,
} from '../../../server/admin/api-types';

/** `/admin/`: the bundle lives in `<AdminPath>/assets/`. */
export const ADMIN_BASE = new URL(/* @vite-ignore */ '..', import.meta.url).pathname.replace(
  /\/?$/,
  '/',
);
export const API_BASE = `${ADMIN_BASE}api/`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: Record<string, string> = {},
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${API_BASE}${path}`, {
    ...init,
    cache: 'no-store',
    // Every change is sent as JSON, body or not: the hub refuses a change
    // made with the cookie otherwise (what a cross-site form would send).
    headers: {
      ...(init.method && init.method !== 'GET' ? { 'Content-Type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  const body = (await res.json().catch(() => ({}))) as Partial<ConfigErrorsReply> & T;
  if (!res.ok) throw new ApiError(res.status, body.error ?? res.statusText, body.errors);
  return body;
}

const classPath = (code: string) => `classes/${encodeURIComponent(code)}`;

export const api = {
  snapshot: () => call<Snapshot>('snapshot'),
  history: (range: HistoryRange) => call<HistoryReply>(`history?range=${range}`),
  logs: (query: string) => call<{ lines: LogEntry[] }>(`logs?${query}`),
  config: () => call<ConfigView>('config'),
  saveConfig: (values: Record<string, string>) =>
    call<ConfigUpdateReply>('config', { method: 'PUT', body: JSON.stringify({ values }) }),
  restart: () => call<RestartReply>('restart', { method: 'POST' }),
  selftest: () => call<SelftestReply>('selftest', { method: 'POST' }),
  kickSession: (id: string) =>
    call<{ kicked: number }>(`sessions/${encodeURIComponent(id)}/kick`, { method: 'POST' }),
  kickClient: (id: string) =>
    call<{ kicked: number }>(`clients/${encodeURIComponent(id)}/kick`, { method: 'POST' }),
  deleteDocument: (id: string) =>
    call<{ deleted: boolean }>(`documents/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  classes: () => call<{ classes: ClassSummary[] }>('classes'),
  createClass: (title: string) =>
    call<ClassDetail>('classes', { method: 'POST', body: JSON.stringify(title ? { title } : {}) }),
  classDetail: (code: string) => call<ClassDetail>(classPath(code)),
  patchClass: (code: string, patch: ClassPatch) =>
    call<ClassDetail>(classPath(code), { method: 'PATCH', body: JSON.stringify(patch) }),
  deleteClass: (code: string) => call<{ deleted: true }>(classPath(code), { method: 'DELETE' }),
  clearBoard: (code: string) =>
    call<{ cleared: number }>(`${classPath(code)}/clear`, { method: 'POST' }),
  setMemberViewOnly: (code: string, id: string, viewOnly: boolean) =>
    call<MemberView>(`${classPath(code)}/members/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ viewOnly }),
    }),
  kickMember: (code: string, id: string) =>
    call<{ kicked: number }>(`${classPath(code)}/members/${encodeURIComponent(id)}/kick`, {
      method: 'POST',
    }),
  /** A waiting student let in, or a removed one let back in. */
  letMemberIn: (code: string, id: string) =>
    call<MemberView>(`${classPath(code)}/members/${encodeURIComponent(id)}/let-in`, {
      method: 'POST',
    }),
};
