// Call events of the workspaces signaling server: ring, answer, busy, hangup
// and the mic / camera toggles (docs/protocols/workspaces.md#ring and the
// sections after it). Each comes from an authorized attendee; ring and answer
// reach only the named attendee when present in the same workspace, the others
// the rest of the workspace.
import { idOf, nonceOf, obj } from './events';
import type { EventHandler } from './events';

const MAX_CALL_BYTES = 4096;

function boundedCall(call: unknown): unknown {
  if (call === undefined || call === null) return null;
  try {
    return Buffer.byteLength(JSON.stringify(call)) <= MAX_CALL_BYTES ? call : null;
  } catch {
    return null;
  }
}

export const ring: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required' });
  if (!ok) return;
  const { ws, me, data } = ok;
  await ctx.o.store.setCall(ws.id, boundedCall(obj(data.workspace)?.call));
  ctx.sendTo(ws.id, idOf(data.callee), 'ring', {
    workspace: data.workspace,
    caller: me,
    offer: data.offer,
    call: data.call,
    nonce: nonceOf(data),
  });
};

export const answer: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required' });
  if (!ok) return;
  const { ws, me, data } = ok;
  ctx.sendTo(ws.id, idOf(data.caller), 'answer', {
    workspace: data.workspace,
    callee: me,
    answer: data.answer,
    call: data.call,
    nonce: nonceOf(data),
  });
};

export const busy: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required' });
  if (!ok) return;
  ctx.announce(
    ok.ws.id,
    'busy',
    { workspace: ok.data.workspace, callee: ok.me, call: ok.data.call },
    { except: socket },
  );
};

export const hangup: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required' });
  if (!ok) return;
  await ctx.o.store.setCall(ok.ws.id, null);
  ctx.announce(ok.ws.id, 'hangup', { attendee: ok.me, call: ok.data.call }, { except: socket });
};

/** The handler of `mic-toggle` or `cam-toggle`. */
export const toggle =
  (event: 'mic-toggle' | 'cam-toggle'): EventHandler =>
  async (ctx, socket, raw) => {
    const ok = await ctx.authorize(socket, raw, { self: 'attendee', token: 'required' });
    if (!ok) return;
    ctx.announce(ok.ws.id, event, { attendee: ok.me, state: ok.data.state }, { except: socket });
  };
