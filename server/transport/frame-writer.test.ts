// The fan-out write path (frame-writer.ts) under the client socket, against
// real `ws` servers and clients on loopback: order across sockets and kinds of
// send, one write per socket per turn, partial writes, closes while frames are
// still going out, a reader that stops, and permessage-deflate negotiated but
// unused for these frames.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger, LogRing } from '../log/logger';
import { waitFor } from '../test/sse-client';
import { FAN_OUT, WsClientSocket } from './client-socket';
import { encodeFrame, supportsFrameWriter } from './frame-writer';
import { KeepaliveSweeper } from './keepalive';

const MiB = 1024 * 1024;

interface Accepted {
  socket: WsClientSocket;
  ws: WebSocket;
}

interface Server {
  url: string;
  logs: LogRing;
  /** The next socket the server accepts. */
  accepted(): Promise<Accepted>;
  close(): Promise<void>;
}

const servers: Server[] = [];
const clients: WebSocket[] = [];

after(async () => {
  for (const c of clients) c.terminate();
  await Promise.all(servers.map((s) => s.close()));
});

/** A ws server whose sockets are wrapped as the hub wraps them. */
async function serve(
  options: { deflate?: boolean; maxQueuedBytes?: number } = {},
): Promise<Server> {
  const logs = new LogRing();
  const log = createLogger({ level: 'warn', ring: logs, destination: logs });
  const http1 = http.createServer();
  const wss = new WebSocketServer({
    server: http1,
    perMessageDeflate: options.deflate
      ? { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 256 }
      : false,
  });
  const waiting: ((a: Accepted) => void)[] = [];
  wss.on('connection', (ws) => {
    const socket = new WsClientSocket(ws, '127.0.0.1', {
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * MiB,
      keepalive: new KeepaliveSweeper(0),
      log,
      compressFromBytes: 256,
    });
    socket.attach({ message() {}, closed() {} });
    waiting.shift()?.({ socket, ws });
  });
  http1.listen(0, '127.0.0.1');
  await once(http1, 'listening');
  const server: Server = {
    url: `ws://127.0.0.1:${(http1.address() as AddressInfo).port}`,
    logs,
    accepted: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http1.closeAllConnections();
      await new Promise((resolve) => http1.close(resolve));
    },
  };
  servers.push(server);
  return server;
}

interface Received {
  data: Buffer;
  binary: boolean;
}

interface Client {
  ws: WebSocket;
  messages: Received[];
  /** Resolves with the close code and reason. */
  closed: Promise<[number, string]>;
}

async function connect(server: Server, deflate = false): Promise<[Client, Accepted]> {
  const accepted = server.accepted();
  const ws = new WebSocket(server.url, { perMessageDeflate: deflate });
  clients.push(ws);
  const messages: Received[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => messages.push({ data, binary }));
  const closed = new Promise<[number, string]>((resolve) =>
    ws.once('close', (code, reason) => resolve([code, reason.toString()])),
  );
  await once(ws, 'open');
  return [{ ws, messages, closed }, await accepted];
}

const untilReceived = (client: Client, count: number) =>
  waitFor(() => client.messages.length >= count, 20_000, `${count} messages`);

/** Counts what the server's socket hands to the kernel: one count per write or writev. */
function countWrites(ws: WebSocket): { writes: number } {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  const counter = { writes: 0 };
  const write = socket._write.bind(socket);
  const writev = socket._writev!.bind(socket);
  socket._write = (...args) => {
    counter.writes++;
    return write(...args);
  };
  socket._writev = (...args) => {
    counter.writes++;
    return writev(...args);
  };
  return counter;
}

/** The frames after a raw client's handshake response: first byte and payload (unmasked). */
function rawFrames(bytes: Buffer): { first: number; payload: Buffer }[] {
  const frames: { first: number; payload: Buffer }[] = [];
  const start = bytes.indexOf('\r\n\r\n');
  if (start < 0) return frames;
  for (let at = start + 4; at + 2 <= bytes.length;) {
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) [length, header] = [bytes.readUInt16BE(at + 2), 4];
    else if (length === 127) [length, header] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    if (at + header + length > bytes.length) break;
    frames.push({ first: bytes[at]!, payload: bytes.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return frames;
}

const text = (r: Received) => `${r.binary ? 'b' : 't'}:${r.data.toString()}`;

describe('frame writer', () => {
  test('ws still has the fields the writer writes through (package.json pins ws ~8.23)', async () => {
    const server = await serve();
    const [, { ws }] = await connect(server);
    assert.ok(supportsFrameWriter(ws), 'ws._socket and ws._sender._state/_queue');
  });

  test('frames carry the right length field at every size boundary', async () => {
    const server = await serve();
    const [client, { socket }] = await connect(server);
    const sizes = [0, 1, 125, 126, 65535, 65536, 70000];
    for (const size of sizes) socket.send(Buffer.alloc(size, size % 251), { compress: false });
    await untilReceived(client, sizes.length);
    assert.deepEqual(
      client.messages.map((m) => m.data.length),
      sizes,
    );
    for (const [i, m] of client.messages.entries()) {
      assert.ok(m.data.equals(Buffer.alloc(sizes[i]!, sizes[i]! % 251)), `payload of ${sizes[i]}`);
    }
    assert.deepEqual([...encodeFrame(Buffer.from('hi'), true)], [0x81, 2, 0x68, 0x69]);
    assert.deepEqual(
      [...encodeFrame(Buffer.alloc(126), false).subarray(0, 4)],
      [0x82, 126, 0, 126],
    );
    assert.deepEqual(
      [...encodeFrame(Buffer.alloc(65536), false).subarray(0, 10)],
      [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0],
    );
  });

  test("one turn's frames for a socket leave in one write, each socket in order", async () => {
    const server = await serve();
    const [a, sa] = await connect(server);
    const [b, sb] = await connect(server);
    const writesA = countWrites(sa.ws);
    const writesB = countWrites(sb.ws);
    // One broadcast object per message, as a fan-out hands the same bytes to every member.
    for (let i = 0; i < 50; i++) {
      const message = Buffer.from(`m${i}`);
      sa.socket.send(message, { compress: false, text: i % 2 === 0 });
      sb.socket.send(message, { compress: false, text: i % 2 === 0 });
    }
    await Promise.all([untilReceived(a, 50), untilReceived(b, 50)]);
    const expected = Array.from({ length: 50 }, (_, i) => `${i % 2 === 0 ? 't' : 'b'}:m${i}`);
    assert.deepEqual(a.messages.map(text), expected);
    assert.deepEqual(b.messages.map(text), expected);
    assert.equal(writesA.writes, 1, 'fifty messages, one write');
    assert.equal(writesB.writes, 1);
  });

  test('an idle hub holds nothing back: a lone message is written in the turn it was sent', async () => {
    const server = await serve();
    const [client, { socket, ws }] = await connect(server);
    const writes = countWrites(ws);
    socket.send(Buffer.from('now'), { compress: false });
    assert.equal(writes.writes, 0, 'not yet: other messages of this turn may join it');
    // An immediate queued after the send runs after the writer's own, in the same turn.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.writes, 1, 'written at the end of the turn, not after a window');
    await untilReceived(client, 1);
  });

  test('sends ws makes itself (uncapped, compressed) keep their place among queued frames', async () => {
    const server = await serve({ deflate: true });
    const [client, { socket }] = await connect(server, true);
    const big = (tag: string) => Buffer.from(tag + 'x'.repeat(2000));
    socket.send(Buffer.from('1'), { compress: false });
    socket.send(big('2'), { compress: true }); // deflated by ws, on zlib's thread
    socket.send(Buffer.from('3'), { compress: false }); // must wait behind the deflate
    socket.send(Buffer.from('4'), { uncapped: true });
    socket.send(big('5'), { compress: false, text: true });
    socket.send(Buffer.from('6'));
    await untilReceived(client, 6);
    assert.deepEqual(
      client.messages.map((m) => `${m.binary ? 'b' : 't'}${m.data.toString().slice(0, 1)}`),
      ['b1', 'b2', 'b3', 'b4', 't5', 'b6'],
    );
    assert.ok(client.messages[1]!.data.equals(big('2')));
    assert.ok(client.messages[4]!.data.equals(big('5')));
  });

  test('permessage-deflate negotiated: fan-out frames under 16 KiB go out with RSV1 clear, whole', async () => {
    const server = await serve({ deflate: true });
    // A raw TCP client offering permessage-deflate, to read the frame's first byte itself.
    const accepted = server.accepted();
    const port = Number(new URL(server.url).port);
    const raw = net.connect(port, '127.0.0.1');
    raw.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n',
    );
    let bytes = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
    const { socket, ws } = await accepted;
    assert.match(ws.extensions, /permessage-deflate/);
    const payload = Buffer.from('compressible '.repeat(100)); // over the 256-byte threshold
    const large = Buffer.from('compressible '.repeat(2000)); // over FAN_OUT_DEFLATE_FROM_BYTES
    socket.send(payload, { compress: false });
    socket.send(payload, FAN_OUT); // a broadcast's copy: not deflated
    socket.send(large, FAN_OUT); // a large one still is, by ws
    await waitFor(() => rawFrames(bytes).length === 3, 10_000, 'three frames');
    const [plain, fanOut, deflated] = rawFrames(bytes);
    assert.equal(plain!.first, 0x82, 'FIN, RSV1 clear, binary');
    assert.ok(plain!.payload.equals(payload));
    assert.equal(fanOut!.first, 0x82);
    assert.ok(fanOut!.payload.equals(payload));
    assert.equal(deflated!.first, 0xc2, 'FIN, RSV1 set: deflated');
    assert.ok(deflated!.payload.length < large.length);
    raw.destroy();

    // And a ws client that negotiated it reads such a frame as it was sent.
    const [client, other] = await connect(server, true);
    assert.match(client.ws.extensions, /permessage-deflate/);
    other.socket.send(payload, { compress: false });
    await untilReceived(client, 1);
    assert.ok(client.messages[0]!.data.equals(payload));
  });

  test('a frame larger than the socket buffers arrives whole after partial writes', async () => {
    const server = await serve();
    const [client, { socket, ws }] = await connect(server);
    const socketOf = (ws as unknown as { _socket: Socket })._socket;
    client.ws.pause(); // nothing is read until the kernel's buffers are full
    const large = Buffer.alloc(24 * MiB);
    for (let i = 0; i < large.length; i += 4096) large.writeUInt32BE(i, i);
    socket.send(large, { compress: false });
    socket.send(Buffer.from('after'), { compress: false });
    await waitFor(() => socketOf.writableLength > 0, 10_000, 'a partial write');
    client.ws.resume();
    await untilReceived(client, 2);
    assert.ok(client.messages[0]!.data.equals(large), 'the 24 MiB frame, byte for byte');
    assert.equal(client.messages[1]!.data.toString(), 'after');
  });

  test('a close right after sends comes after them; one during a partial write too', async () => {
    const server = await serve();
    const [client, { socket }] = await connect(server);
    socket.send(Buffer.from('one'), { compress: false });
    socket.send(Buffer.from('two'), { compress: false, text: true });
    socket.close(4001, 'done');
    assert.equal(socket.send(Buffer.from('late'), { compress: false }), false);
    assert.deepEqual(await client.closed, [4001, 'done']);
    assert.deepEqual(client.messages.map(text), ['b:one', 't:two']);

    const [slow, accepted] = await connect(server);
    slow.ws.pause();
    const large = Buffer.alloc(16 * MiB, 7);
    accepted.socket.send(large, { compress: false });
    setImmediate(() => accepted.socket.close(4002, 'mid-write'));
    setTimeout(() => slow.ws.resume(), 200);
    assert.deepEqual(await slow.closed, [4002, 'mid-write']);
    assert.equal(slow.messages.length, 1);
    assert.ok(slow.messages[0]!.data.equals(large));
  });

  test('a reader that stops is cut off once what waits for it, queued this turn included, passes the cap', async () => {
    const server = await serve({ maxQueuedBytes: 1 * MiB });
    const [client, { socket }] = await connect(server);
    client.ws.pause();
    const chunk = Buffer.alloc(64 * 1024, 1);
    // In one turn nothing reaches the kernel, so the writer's own queue is what the cap sees.
    let accepted = 0;
    while (socket.send(chunk, { compress: false }) && accepted < 1000) accepted++;
    assert.ok(
      accepted <= (1 * MiB) / chunk.length + 1,
      `${accepted} messages accepted in one turn`,
    );
    assert.equal(socket.isOpen, false);
    client.ws.resume();
    const [code] = await client.closed;
    assert.equal(code, 1006, 'dropped, not closed: the peer is not reading');
    assert.ok(
      server.logs
        .recent()
        .some((l) => l.includes('peer is not reading') && l.includes('127.0.0.1')),
      'logged with the address',
    );
  });

  test('a reader that stops while sends come turn after turn is cut off too', async () => {
    const server = await serve({ maxQueuedBytes: 1 * MiB });
    const [client, { socket }] = await connect(server);
    client.ws.pause();
    const chunk = Buffer.alloc(64 * 1024, 2);
    let sent = 0;
    while (socket.send(chunk, { compress: false })) {
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(sent < 10_000, 'the cap never tripped');
    }
    assert.ok(sent * chunk.length > 1 * MiB, `${sent} messages went out before the cut`);
    client.ws.resume(); // to read the end of the connection
    const [code] = await client.closed;
    assert.equal(code, 1006);
  });
});
