// The protocols a client can reach on the hub's one port, with their mount
// paths from config. The TXT record, the join page and /api/join list the same
// set, in the same order (most used first: the TXT record drops from the end
// when it runs out of room).
import type { HubConfig } from '../config/schema';

export const PROTOCOL_NAMES = ['zwibbler', 'yjs', 'signal', 'workspace', 'rtc', 'chat'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export interface ProtocolEndpoint {
  /** Also the TXT key, so at most 9 characters (RFC 6763 §6.4). */
  name: ProtocolName;
  path: string;
  /** `ws` for a WebSocket endpoint, `http` for HTTP (SSE, Socket.IO). */
  scheme: 'ws' | 'http';
  title: string;
}

export function protocolEndpoints(config: HubConfig): ProtocolEndpoint[] {
  return [
    { name: 'zwibbler', path: config.ZwibblerPath, scheme: 'ws', title: 'Zwibbler collaboration' },
    { name: 'yjs', path: config.YjsPath, scheme: 'ws', title: 'Yjs (y-websocket)' },
    { name: 'signal', path: config.SignalPath, scheme: 'ws', title: 'y-webrtc signaling' },
    {
      name: 'workspace',
      path: config.WorkspacesPath,
      scheme: 'http',
      title: 'Workspaces signaling (Socket.IO)',
    },
    { name: 'rtc', path: config.RtcBasePath, scheme: 'http', title: 'WebRTC signaling (SSE/HTTP)' },
    { name: 'chat', path: config.ChatPath, scheme: 'ws', title: 'Chat' },
  ];
}

/** The endpoint's URL on a hub reached at `base` (`http(s)://host:port`). */
export function endpointUrl(base: string, endpoint: ProtocolEndpoint): string {
  const url = new URL(endpoint.path, base);
  if (endpoint.scheme === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
