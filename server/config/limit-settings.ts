// The limits every connection and message meets (message and document sizes,
// queues, inbound bytes, keys, keepalive, connections and timeouts): the last
// settings docs/configuration.md lists, after the protocols' (protocol-settings.ts).
import { setting, MiB } from './setting';
import type { Setting } from './setting';
import { byteSize, integer } from './values';

export const LIMIT_SETTINGS: Setting[] = [
  setting({
    key: 'MaxMessageBytes',
    parse: byteSize(1024, 1024 * MiB),
    default: 8 * MiB,
    doc: 'Largest message a client may send, after continuation chunks are joined. Larger ones close the connection with 1009.',
  }),
  setting({
    key: 'MaxDocumentBytes',
    parse: byteSize(1024, 64 * 1024 * MiB),
    default: 256 * MiB,
    doc: 'A document never grows past this; the append that would is refused with an ERROR and a 1009 close.',
  }),
  setting({
    key: 'MaxLiveDocumentBytes',
    parse: byteSize(0, 64 * 1024 * MiB),
    default: 256 * MiB,
    doc: 'Documents with clients on this hub keep a copy of their bytes in memory, so that a join does not read the database; these copies together never pass this. A document whose copy does not fit is served from the database as before. 0 keeps no copies; on MariaDB none are kept (hubs there do not hear one another).',
  }),
  setting({
    key: 'MaxQueuedBytes',
    parse: byteSize(64 * 1024, 1024 * MiB),
    default: 16 * MiB,
    doc: 'Live traffic queued for one client that is not reading; past it the client is disconnected. It must be at least twice the largest message any endpoint accepts (MaxMessageBytes, YjsMaxUpdateBytes, SignalMaxMessageBytes), or the hub does not start: a reader would be cut off while one such message is on its way.',
  }),
  setting({
    key: 'InboundBurstBytes',
    parse: byteSize(64 * 1024, 1024 * MiB),
    default: 64 * MiB,
    doc: 'Bytes one WebSocket may send at once, counted after permessage-deflate inflates them; it then earns InboundBytesPerSecond back. Past it the connection is closed with 1008 and nothing more it sent is inflated. It must be at least the largest message any endpoint accepts.',
  }),
  setting({
    key: 'InboundBytesPerSecond',
    parse: byteSize(1024, 1024 * MiB),
    default: 2 * MiB,
    doc: 'Bytes per second one WebSocket may send, after inflating, once its InboundBurstBytes is spent. A board drawing or importing sends far less.',
  }),
  setting({
    key: 'InboundAddressBurstBytes',
    parse: byteSize(64 * 1024, 64 * 1024 * MiB),
    default: 256 * MiB,
    doc: 'Bytes the WebSockets of one address may send at once, all together, counted like InboundBurstBytes; they then earn InboundAddressBytesPerSecond back. Past it the connection whose message does not fit is closed with 1008. A class behind one NAT address shares it: 256 MiB lets 50 boards each send a 5 MiB offline backlog at the same moment. It must be at least InboundBurstBytes.',
  }),
  setting({
    key: 'InboundAddressBytesPerSecond',
    parse: byteSize(1024, 1024 * MiB),
    default: 16 * MiB,
    doc: 'Bytes per second the WebSockets of one address may send together, once InboundAddressBurstBytes is spent: eight connections at the full InboundBytesPerSecond, far more than a class drawing sends.',
  }),
  setting({
    key: 'MaxKeysPerDocument',
    parse: integer(1, 1_000_000),
    default: 1000,
    doc: 'Client keys, and document keys, per document. Setting one more is refused.',
  }),
  setting({
    key: 'MaxKeyBytes',
    parse: byteSize(64, 1024 * MiB),
    default: 64 * 1024,
    doc: 'Largest Zwibbler key, its name and value together. A larger SET_KEY is refused (0x83 with 0).',
  }),
  setting({
    key: 'MaxDocumentKeyBytes',
    parse: byteSize(1024, 64 * 1024 * MiB),
    default: MiB,
    doc: "Bytes of a document's keys, names and values together: its document keys, and apart its client keys, on every hub. A SET_KEY that would pass it is refused (0x83 with 0); one that replaces a key without growing it never is. A join sends at most twice this in keys.",
  }),
  setting({
    key: 'KeepaliveSeconds',
    parse: integer(0, 3600),
    default: 30,
    doc: 'Ping interval. A client silent for a whole interval is dropped. 0 turns keepalive off.',
  }),
  setting({
    key: 'InitTimeoutSeconds',
    parse: integer(1, 3600),
    default: 30,
    doc: 'A Zwibbler client must send its INIT within this time.',
  }),
  setting({
    key: 'MaxConnections',
    parse: integer(0, 10_000_000),
    default: 0,
    defaultText: '`0` (the open-file limit less a tenth, at least 100, kept for files)',
    doc: 'Open connections the whole hub serves, of every kind. Past it a new one gets 503, or a WebSocket close 1013, but for /healthz and the admin API; a few dozen more are answered so, and the rest are closed at once.',
  }),
  setting({
    key: 'MaxConnectionsPerAddress',
    parse: integer(1, 1_000_000),
    default: 400,
    doc: 'Open connections from one address, of every kind. A class board page holds 2 (its WebSocket and its event stream) and 3 while loading: 400 admits 60 devices behind one NAT address and a page with 40 boards, with room to spare. Past it: 429, or a WebSocket close 1013.',
  }),
  setting({
    key: 'NewConnectionsPerSecond',
    parse: integer(1, 1_000_000),
    default: 20,
    doc: 'New connections per second from one address, in bursts up to MaxConnectionsPerAddress (a whole class reconnecting after a restart). Past it: 429, or a WebSocket close 1013.',
  }),
  setting({
    key: 'HeadersTimeoutSeconds',
    parse: integer(1, 3600),
    default: 10,
    doc: "A request's headers must arrive within this time, counted from the connection's start or the request's first byte; so must a new connection's first request, and its TLS handshake. Past it: 408 and the connection is closed.",
  }),
  setting({
    key: 'RequestTimeoutSeconds',
    parse: integer(1, 86_400),
    default: 30,
    doc: 'A whole request, its body included, must arrive within this time (408 and the connection is closed). Raise it for management API uploads of large documents over slow links. Event streams and WebSockets are not requests in progress: they stay open.',
  }),
  setting({
    key: 'IdleTimeoutSeconds',
    parse: integer(1, 3600),
    default: 5,
    doc: 'A kept-alive HTTP connection with no request in flight is closed after this time (Node adds 1 s).',
  }),
];
