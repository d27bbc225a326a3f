// Puts y-webrtc signaling on the hub at SignalPath (default `/signal`): the
// WebSocket endpoint, and on the same path the reference's `200 okay` for a
// plain request (docs/protocols/y-webrtc.md#path-and-configuration).
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import type { HttpTransport } from '../../transport/http-server';
import { mountedAt, signalingPayload } from '../../transport/routes';
import type { HttpRoute, WebSocketEndpoint } from '../../transport/routes';
import { DEFAULT_MAX_TOPIC_CHARS, DEFAULT_MAX_TOPICS, PROTOCOL, YWebrtcSession } from './session';
import type { SignalingContext } from './session';
import { SignalingTopics } from './topics';

export function yWebrtcEndpoint(path: string, ctx: SignalingContext): WebSocketEndpoint {
  return {
    name: PROTOCOL,
    path: mountedAt(path),
    ...signalingPayload(ctx.limits.maxMessageBytes),
    accept: (socket) => new YWebrtcSession(socket, ctx),
  };
}

export function yWebrtcHttpRoute(path: string): HttpRoute {
  return {
    name: PROTOCOL,
    path: mountedAt(path),
    handle(req, res) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'okay');
    },
  };
}

export function mountYWebrtc(transport: HttpTransport, context: ProtocolContext): MountedProtocol {
  const { config, registry, bus, log, now } = context;
  const ctx: SignalingContext = {
    topics: new SignalingTopics(bus),
    registry,
    limits: {
      maxMessageBytes: config.SignalMaxMessageBytes,
      messagesPerSecond: config.SignalMessagesPerSecond,
      maxTopicsPerConnection: DEFAULT_MAX_TOPICS,
      maxTopicChars: DEFAULT_MAX_TOPIC_CHARS,
    },
    log: log.child({ protocol: PROTOCOL }),
    now,
  };
  transport.addRoute(yWebrtcHttpRoute(config.SignalPath));
  transport.addEndpoint(yWebrtcEndpoint(config.SignalPath, ctx));
  // On hub.stop() the transport closes every socket with 1001; each session then
  // leaves its topics and the registry, so there is nothing else to stop.
  return {};
}
