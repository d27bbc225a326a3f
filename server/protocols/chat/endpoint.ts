// The chat's WebSocket endpoint. The `beej-chat-protocol` subprotocol selects it
// on any path (the original client connects to `/`). At ChatPath, the address
// discovery announces, an upgrade without it gets 400 as from the original.
// Below ChatPath, `<ChatPath>/<room>` is a gated room (a class's), when the hub
// has a gate.
import { allowsLanOrigin } from '../../transport/lan-origins';
import { mountedAt, signalingPayload } from '../../transport/routes';
import type { WebSocketEndpoint } from '../../transport/routes';
import type { GatedChats } from './gated-chats';
import { CHAT_SUBPROTOCOL } from './messages';
import { ChatSession } from './session';
import type { ChatContext } from './session';

export interface ChatEndpointOptions {
  /**
   * True when AllowedOrigins is empty: browsers are then limited to the hub's
   * own origin and LAN origins. Otherwise the hub-wide AllowedOrigins applies.
   */
  lanOriginsOnly: boolean;
  /** The rooms below the path (classes); without them every path is the hub-wide chat. */
  gated?: GatedChats;
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
    accept: (socket, _request, { url }) => {
      const below = `${path.replace(/\/$/, '')}/`;
      if (options.gated && url.pathname.startsWith(below)) {
        const room = url.pathname.slice(below.length);
        return options.gated.accept(socket, room, url.searchParams.get('token') ?? undefined);
      }
      return new ChatSession(socket, ctx);
    },
  };
}
