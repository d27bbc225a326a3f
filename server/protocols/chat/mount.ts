// Puts the WebSocket chat (beejjorgensen/websockets-demo) on the hub.
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import type { HttpTransport } from '../../transport/http-server';
import { chatEndpoint } from './endpoint';
import { MAX_USERNAME_CHARS } from './messages';
import { CHAT_PROTOCOL, ChatRoom } from './session';

export function mountChat(transport: HttpTransport, context: ProtocolContext): MountedProtocol {
  const { config, registry, log, now } = context;
  const room = new ChatRoom();
  const originsSet = config.AllowedOrigins.split(',').some((s) => s.trim() !== '');
  transport.addEndpoint(
    chatEndpoint(
      config.ChatPath,
      {
        room,
        roomName: CHAT_PROTOCOL,
        registry,
        limits: {
          maxMessageBytes: config.SignalMaxMessageBytes,
          messagesPerSecond: config.SignalMessagesPerSecond,
          maxMessageChars: config.ChatMaxMessageChars,
          maxUsernameChars: MAX_USERNAME_CHARS,
        },
        log: log.child({ protocol: CHAT_PROTOCOL }),
        now,
      },
      { lanOriginsOnly: !originsSet },
    ),
  );
  return {};
}
