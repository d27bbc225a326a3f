// Classes from a test's side: the teacher's dashboard calls (admin API), a
// student joining over HTTP, and board connections with the real y-websocket
// provider holding a class token.
import * as Y from 'yjs';
import type { ClassDetail } from '../admin/api-types';
import type { JoinReply, MemberState, Presentation } from '../classroom/api-types';
import { adminCall } from './admin-client';
import { eventually } from './admin-client';
import { SseClient } from './sse-client';
import { openProvider } from './yjs-client';
import type { TestProvider } from './yjs-client';

export const TEST_ADMIN_TOKEN = 'class-test-admin-token';

export async function createClass(httpUrl: string, title = 'Maths 7B'): Promise<ClassDetail> {
  const reply = await adminCall<ClassDetail>(httpUrl, 'classes', {
    method: 'POST',
    token: TEST_ADMIN_TOKEN,
    body: { title },
  });
  if (reply.status !== 201) throw new Error(`create class: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** An admin call that must succeed; returns its JSON. */
export async function teacherDoes<T = Record<string, unknown>>(
  httpUrl: string,
  path: string,
  method = 'POST',
  body?: unknown,
): Promise<T> {
  const reply = await adminCall<T>(httpUrl, path, { method, token: TEST_ADMIN_TOKEN, body });
  if (reply.status !== 200) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

export function joinRequest(
  httpUrl: string,
  code: string,
  body: unknown,
  type = 'application/json',
) {
  return fetch(new URL(`/api/classes/${encodeURIComponent(code)}/join`, httpUrl), {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function joinClass(httpUrl: string, code: string, name: string): Promise<JoinReply> {
  const res = await joinRequest(httpUrl, code, { name });
  if (res.status !== 201) throw new Error(`join: ${res.status} ${await res.text()}`);
  return (await res.json()) as JoinReply;
}

export async function me(
  httpUrl: string,
  code: string,
  token: string | undefined,
): Promise<{ status: number; state: MemberState & { error?: string } }> {
  const res = await fetch(new URL(`/api/classes/${code}/me`, httpUrl), {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  return { status: res.status, state: (await res.json()) as MemberState & { error?: string } };
}

export function classEvents(
  httpUrl: string,
  code: string,
  token: string,
  localAddress?: string,
): SseClient {
  const url = new URL(`/api/classes/${code}/events`, httpUrl);
  url.searchParams.set('token', token);
  return new SseClient(url.toString(), { events: ['state', 'removed'], localAddress });
}

/** The teacher's token, from the board link the dashboard shows. */
export const teacherTokenOf = (detail: ClassDetail): string =>
  decodeURIComponent(new URL(detail.teacherUrl).hash.replace(/^#token=/, ''));

/** A board connection as the page makes it; stops retrying on refusals as the page does. */
export function openBoard(
  wsUrl: string,
  code: string,
  token: string,
  doc?: Y.Doc,
  localAddress?: string,
): TestProvider {
  const p = openProvider(wsUrl, code, { params: { token }, doc, localAddress });
  p.provider.on('connection-close', (event) => {
    if (event && [4401, 4403, 4404, 4422].includes(event.code)) p.provider.disconnect();
  });
  return p;
}

/** A stroke as the board stores it: a Y.Map with its points, under `shapes`. */
export function draw(doc: Y.Doc, id: string, points = [1, 2, 0.5]): void {
  doc.transact(() => {
    const shape = new Y.Map<unknown>();
    shape.set('type', 'pen');
    shape.set('color', '#000');
    shape.set('points', Y.Array.from(points));
    doc.getMap('shapes').set(id, shape);
  });
}

export const shapeIds = (doc: Y.Doc): string[] => [...doc.getMap('shapes').keys()].sort();

/** Waits until the doc holds exactly these shapes. */
export function shapesBecome(doc: Y.Doc, ids: string[], what = 'shapes'): Promise<true> {
  const want = [...ids].sort().join(',');
  return eventually(
    async () => shapeIds(doc).join(',') === want || undefined,
    15_000,
    `${what}: ${want} (have ${shapeIds(doc).join(',')})`,
  );
}

/** The teacher's (or, refused, a student's) presentation, as the board page sends it. */
export async function present(
  httpUrl: string,
  code: string,
  token: string,
  body: unknown,
): Promise<{ status: number; body: Presentation & { error?: string } }> {
  const res = await fetch(new URL(`/api/classes/${code}/presentation`, httpUrl), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Presentation & { error?: string } };
}
