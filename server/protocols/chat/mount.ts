// Puts the WebSocket chat (beejjorgensen/websockets-demo) on the hub.
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import type { HttpTransport } from '../../transport/http-server';
import type { ChatGate } from './chat-gate';
import { chatEndpoint } from './endpoint';
import { GatedChats } from './gated-chats';
import { MAX_USERNAME_CHARS } from './messages';
import { CHAT_PROTOCOL, ChatRoom } from './session';

/** `gate`: the rooms below ChatPath (classes' chats at `<ChatPath>/<class code>`). */
export function mountChat(
  transport: HttpTransport,
  context: ProtocolContext,
  gate?: ChatGate,
): MountedProtocol {
  const { config, registry, log, now } = context;
  const originsSet = config.AllowedOrigins.split(',').some((s) => s.trim() !== '');
  const base = {
    registry,
    limits: {
      maxMessageBytes: config.SignalMaxMessageBytes,
      messagesPerSecond: config.SignalMessagesPerSecond,
      maxMessageChars: config.ChatMaxMessageChars,
      maxUsernameChars: MAX_USERNAME_CHARS,
    },
    log: log.child({ protocol: CHAT_PROTOCOL }),
    now,
  };
  transport.addEndpoint(
    chatEndpoint(
      config.ChatPath,
      { ...base, room: new ChatRoom(), roomName: CHAT_PROTOCOL },
      { lanOriginsOnly: !originsSet, gated: gate && new GatedChats(gate, base) },
    ),
  );
  return {};
}
