// Relay events of the workspaces signaling server: the ICE servers
// (docs/protocols/workspaces.md#iceservers), and the WebRTC negotiation and
// ICE candidates passed from a broadcaster to one attendee present in the same
// workspace (docs/protocols/workspaces.md#negotiation,
// docs/protocols/workspaces.md#icecandidate). `negotiation` needs the
// sender's access token (the original's check is commented out);
// `icecandidate` verifies one when it is sent.
import { idOf } from './events';
import type { EventHandler } from './events';

export const iceservers: EventHandler = async (ctx, socket) =>
  void socket.emit('iceservers', ctx.o.iceServers);

export const negotiation: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'broadcaster', token: 'required' });
  if (!ok) return;
  ctx.sendTo(ok.ws.id, idOf(ok.data.attendee), 'negotiation', {
    attendee: { id: ok.me.id },
    message: ok.data.message,
  });
};

export const icecandidate: EventHandler = async (ctx, socket, raw) => {
  const ok = await ctx.authorize(socket, raw, { self: 'broadcaster', token: 'if-present' });
  if (!ok) return;
  const target = idOf(ok.data.attendee);
  ctx.sendTo(ok.ws.id, target, 'icecandidate', {
    attendee: { id: target },
    broadcaster: { id: ok.me.id },
    candidate: ok.data.candidate,
  });
};
