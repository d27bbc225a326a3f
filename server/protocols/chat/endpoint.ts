// The chat's WebSocket endpoint. The `beej-chat-protocol` subprotocol selects it
// on any path (the original client connects to `/`). At ChatPath, the address
// discovery announces, an upgrade without it gets 400 as from the original.
import { allowsLanOrigin } from '../../transport/lan-origins';
import { mountedAt, signalingPayload } from '../../transport/routes';
import type { WebSocketEndpoint } from '../../transport/routes';
import { CHAT_SUBPROTOCOL } from './messages';
import { ChatSession } from './session';
import type { ChatContext } from './session';

export interface ChatEndpointOptions {
  /**
   * True when AllowedOrigins is empty: browsers are then limited to the hub's
   * own origin and LAN origins. Otherwise the hub-wide AllowedOrigins applies.
   */
  lanOriginsOnly: boolean;
}

export function chatEndpoint(
  path: string,
  ctx: ChatContext,
  options: ChatEndpointOptions,
): WebSocketEndpoint {
  return {
    name: 'chat',
    path: mountedAt(path),
    subprotocols: [CHAT_SUBPROTOCOL],
    ...signalingPayload(ctx.limits.maxMessageBytes),
    selectSubprotocol: (offered) => (offered.has(CHAT_SUBPROTOCOL) ? CHAT_SUBPROTOCOL : undefined),
    requiresSubprotocol: true,
    allowsOrigin: options.lanOriginsOnly
      ? (origin, request) => allowsLanOrigin(origin, request.headers.host)
      : undefined,
    accept: (socket) => new ChatSession(socket, ctx),
  };
}
