// The settings of each protocol's endpoint (mount paths, limits, tokens), in
// the order docs/configuration.md lists them, between the hub's own settings and
// the connection limits (schema.ts).
import { setting, MiB } from './setting';
import type { Setting } from './setting';
import { byteSize, expiration, iceServers, integer, mountPath, text } from './values';

export const PROTOCOL_SETTINGS: Setting[] = [
  setting({
    key: 'ZwibblerPath',
    parse: mountPath,
    default: '/socket',
    doc: 'Mount path of the Zwibbler WebSocket, status and management API.',
  }),
  setting({
    key: 'SignalPath',
    parse: mountPath,
    default: '/signal',
    doc: 'Mount path of the y-webrtc signaling WebSocket.',
  }),
  setting({
    key: 'RtcBasePath',
    parse: mountPath,
    default: '/rtc',
    doc: "Base path of the SSE/HTTP WebRTC signaling endpoints. `/` serves the original client's absolute paths unchanged.",
  }),
  setting({
    key: 'RtcTokenKey',
    parse: text,
    default: '',
    defaultText: '(empty: generated and kept in `<DataDir>/rtc-token.key`)',
    doc: 'HMAC key for the SSE signaling tokens.',
    secret: true,
  }),
  setting({
    key: 'RtcTokenSeconds',
    parse: integer(60, 7 * 86_400),
    default: 3600,
    doc: 'How long an SSE signaling token lasts before it must be refreshed.',
  }),
  setting({
    key: 'RtcPeersPerMinute',
    parse: integer(1, 1_000_000),
    default: 120,
    doc: 'New SSE signaling peers (`POST access` without a token) one address may make per minute, in bursts up to that many: a class of 60 devices can each get one at once, twice. Past it: 429 with Retry-After. Refreshing a token does not count.',
  }),
  setting({
    key: 'RtcMaxPeersPerRoom',
    parse: integer(2, 100_000),
    default: 100,
    doc: 'Peers in one SSE signaling room, on every hub: a class of 60 and its teacher fit. One more gets 403.',
  }),
  setting({
    key: 'RtcResumeBytesPerPeer',
    parse: byteSize(1024, 1024 * MiB),
    default: 256 * 1024,
    doc: 'Events kept per SSE signaling peer, for a dropped stream to resume (30 s at most): about 50 offers. Past it the oldest go, and a peer that missed them starts over.',
  }),
  setting({
    key: 'RtcResumeBytes',
    parse: byteSize(64 * 1024, 64 * 1024 * MiB),
    default: 32 * MiB,
    doc: 'Events kept for resumption by every SSE signaling peer on this hub together; when many peers would pass it, each keeps its share.',
  }),
  setting({
    key: 'IceServers',
    parse: iceServers,
    default: [],
    defaultText: '`[]` (none: host candidates work on a LAN)',
    doc: 'ICE servers handed to WebRTC clients, as a JSON array of RTCIceServer objects.',
  }),
  setting({
    key: 'SignalMaxMessageBytes',
    parse: byteSize(1024, 16 * MiB),
    default: 64 * 1024,
    doc: 'Largest signaling or chat message a client may send.',
  }),
  setting({
    key: 'SignalMessagesPerSecond',
    parse: integer(1, 100_000),
    default: 100,
    doc: 'Signaling and chat messages one connection may send per second (bursts up to twice that); past it the connection is closed.',
  }),
  setting({
    key: 'YjsPath',
    parse: mountPath,
    default: '/yjs',
    doc: 'Mount path of the y-websocket endpoint: a room is everything after `<YjsPath>/`, taken raw.',
  }),
  setting({
    key: 'YjsMaxUpdateBytes',
    parse: byteSize(1024, 1024 * MiB),
    default: 8 * MiB,
    doc: 'Largest Yjs message a client may send (an update, or a sync step 2 with offline edits); larger ones close the connection with 1009. It replaces MaxMessageBytes on this endpoint. A board that drew 5,000 pen strokes offline sends them in one 5 MiB SyncStep2; the board sends an import in pieces of about 2 MiB.',
  }),
  setting({
    key: 'YjsMaxRoomBytes',
    parse: byteSize(64 * 1024, 64 * 1024 * MiB),
    default: 64 * MiB,
    doc: 'A Yjs room never grows past this encoded size; the update that would is refused and its sender closed with 1009. A board of 5,000 pen strokes holds 5 MiB, 10 MiB once it was replaced by another.',
  }),
  setting({
    key: 'YjsMaxLiveBytes',
    parse: byteSize(64 * 1024, 64 * 1024 * MiB),
    default: 256 * MiB,
    doc: 'The Yjs rooms in memory together never grow past this encoded size (their YjsMaxRoomBytes sizes summed); the update that would is refused and its sender closed with 1009. In memory a room takes several times its encoded size.',
  }),
  setting({
    key: 'YjsMaxRooms',
    parse: integer(1, 1_000_000),
    default: 10_000,
    doc: 'Yjs rooms held in memory at once. A client opening one more is closed with 1013 (try again later).',
  }),
  setting({
    key: 'YjsCompactUpdates',
    parse: integer(2, 1_000_000),
    default: 500,
    doc: 'Stored updates of one room that trigger compaction into a single update.',
  }),
  setting({
    key: 'YjsCompactBytes',
    parse: byteSize(64 * 1024, 64 * 1024 * MiB),
    default: 16 * MiB,
    doc: 'Bytes of stored updates since the last compaction that trigger compaction.',
  }),
  setting({
    key: 'ClassMaxMembers',
    parse: integer(1, 10_000),
    default: 200,
    doc: 'Members one class may have, teacher and removed students included. Joining a full class answers 409.',
  }),
  setting({
    key: 'ClassCodeAttemptsPerMinute',
    parse: integer(10, 1_000_000),
    default: 300,
    doc: 'Class codes one address may try per minute, in bursts up to that many: a lookup or a join costs 1, a code that names no class 10 (a board, `/me` or `/events` of a class costs only a miss). 60 devices behind one address can each look up, join and reload; a guesser gets 30 misses a minute. Past it: 429 with Retry-After, or a board close 1008.',
  }),
  setting({
    key: 'ClassStreamsPerMember',
    parse: integer(1, 1000),
    default: 5,
    doc: "Class event streams (`/api/classes/<code>/events`) one member's token may hold open on a hub: a teacher's projector, laptop and tablet, or a student's tabs. One more gets 429.",
  }),
  setting({
    key: 'ChatPath',
    parse: mountPath,
    default: '/chat',
    doc: 'Mount path of the WebSocket chat. A client asking for the `beej-chat-protocol` subprotocol reaches the chat on any path.',
  }),
  setting({
    key: 'ChatMaxMessageChars',
    parse: integer(1, 100_000),
    default: 2000,
    doc: 'Longest chat message, in characters.',
  }),
  setting({
    key: 'WorkspacesPath',
    parse: mountPath,
    default: '/socket.io',
    doc: 'Socket.IO path of the workspaces signaling server.',
  }),
  setting({
    key: 'WorkspaceCapacity',
    parse: integer(1, 1000),
    default: 5,
    doc: 'Attendees one workspace holds.',
  }),
  setting({
    key: 'WorkspacesPerHour',
    parse: integer(1, 1_000_000),
    default: 30,
    doc: "Workspaces one address may create per hour, in bursts up to that many; past it `create` gets an alert saying when to try again. With WorkspaceExpiration, one address can hold about 1,500 of the hub's 10,000.",
  }),
  setting({
    key: 'WorkspaceExpiration',
    parse: expiration,
    default: 172_800,
    defaultText: '`172800` (2 days)',
    doc: 'Delete workspaces nobody has used for this many seconds, or `never`; one with an attendee present is never deleted. Expiration applies too when it is shorter.',
  }),
];
