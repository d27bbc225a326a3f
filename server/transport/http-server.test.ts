// The shared HTTP server: routing by path and subprotocol, compression, message
// limits, graceful close and listen errors, over real `ws` clients.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createLogger } from '../log/logger';
import type { ClientSocket } from './client-socket';
import { CloseCode } from './close-codes';
import { HttpTransport, ListenError } from './http-server';
import type { TransportOptions } from './http-server';
import { mountedAt } from './routes';
import type { HttpRoute, UpgradeContext, WebSocketEndpoint } from './routes';

const log = createLogger({ level: 'silent' });
const CHAT = 'beej-chat-protocol';

interface Accepted {
  endpoint: string;
  context: UpgradeContext;
  socket: ClientSocket;
  closed: Promise<{ code: number; reason: string }>;
}

interface Running {
  transport: HttpTransport;
  port: number;
  /** Every connection the endpoints accepted, in order. */
  accepted: Accepted[];
}

const transports: HttpTransport[] = [];
const clients: WebSocket[] = [];
const rawSockets: net.Socket[] = [];
const blockers: net.Server[] = [];

after(async () => {
  for (const ws of clients) ws.terminate();
  for (const s of rawSockets) s.destroy();
  await Promise.all(transports.map((t) => t.close(100)));
  await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))));
});

/** An endpoint that records what it accepted and echoes every message back. */
function echoEndpoint(
  name: string,
  accepted: Accepted[],
  extra: Partial<WebSocketEndpoint>,
): WebSocketEndpoint {
  return {
    name,
    path: mountedAt(`/${name}`),
    ...extra,
    accept(socket, _req, context) {
      let done!: (v: { code: number; reason: string }) => void;
      const closed = new Promise<{ code: number; reason: string }>((r) => (done = r));
      accepted.push({ endpoint: name, context, socket, closed });
      return {
        message: (data) => socket.send(data),
        closed: (code, reason) => done({ code, reason }),
      };
    },
  };
}

async function startTransport(options: Partial<TransportOptions> = {}): Promise<Running> {
  const accepted: Accepted[] = [];
  const transport = new HttpTransport({
    compression: true,
    maxMessageBytes: 64 * 1024,
    maxQueuedBytes: 1024 * 1024,
    keepaliveMs: 0,
    log,
    ...options,
  });
  transports.push(transport);
  // The first is mounted at /socket and may refuse compression per URL, as Zwibbler does.
  transport.addEndpoint(
    echoEndpoint('socket', accepted, {
      path: mountedAt('/socket'),
      allowsCompression: (url) => url.searchParams.get('compression') !== '0',
    }),
  );
  // The second claims the beej chat subprotocol, whatever the path.
  transport.addEndpoint(
    echoEndpoint('chat', accepted, {
      path: mountedAt('/chat'),
      subprotocols: [CHAT],
      selectSubprotocol: (offered) => (offered.has(CHAT) ? CHAT : undefined),
    }),
  );
  const address = await transport.listen('127.0.0.1', 0);
  return { transport, port: address.port, accepted };
}

interface Client {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}

function client(url: string, protocols?: string[], options: WebSocket.ClientOptions = {}): Client {
  const ws = new WebSocket(url, protocols ?? [], options);
  clients.push(ws);
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, closed };
}

async function connect(
  url: string,
  protocols?: string[],
  options?: WebSocket.ClientOptions,
): Promise<Client> {
  const c = client(url, protocols, options);
  await new Promise<void>((resolve, reject) => {
    c.ws.once('open', () => resolve());
    c.ws.once('error', reject);
  });
  return c;
}

function nextMessage(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(data)));
}

/** The HTTP status a failed upgrade answered with. */
function upgradeStatus(url: string, protocols?: string[]): Promise<number> {
  const { ws } = client(url, protocols);
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('WebSocket routing', () => {
  test('a claimed subprotocol wins over a raw upgrade route on the same path (rule 2)', async () => {
    const t = await startTransport();
    let rawHits = 0;
    t.transport.addRawUpgrade({
      name: 'raw',
      path: mountedAt('/raw/'),
      handle: (_req, socket) => {
        rawHits++;
        socket.destroy();
      },
    });
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/raw/`, [CHAT]);
    assert.equal(ws.protocol, CHAT);
    assert.equal(t.accepted.at(-1)!.endpoint, 'chat');
    assert.equal(rawHits, 0);
    // Without the subprotocol, the raw route takes the upgrade.
    const plain = client(`ws://127.0.0.1:${t.port}/raw/`);
    await plain.closed;
    assert.equal(rawHits, 1);
  });

  test('a client at / asking for beej-chat-protocol lands on the chat endpoint', async () => {
    const t = await startTransport();
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/`, [CHAT]);
    assert.equal(ws.protocol, CHAT);
    assert.equal(t.accepted.length, 1);
    assert.equal(t.accepted[0]!.endpoint, 'chat');
    assert.equal(t.accepted[0]!.context.subprotocol, CHAT);
    assert.equal(t.accepted[0]!.context.url.pathname, '/');
    assert.equal(t.accepted[0]!.context.remoteAddress, '127.0.0.1');
    ws.send('hello chat');
    assert.equal((await nextMessage(ws)).toString(), 'hello chat');
  });

  test('a client at /socket asking for beej-chat-protocol also lands on chat', async () => {
    const t = await startTransport();
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/socket`, ['other', CHAT]);
    assert.equal(ws.protocol, CHAT);
    assert.deepEqual(
      t.accepted.map((a) => a.endpoint),
      ['chat'],
    );
  });

  test('a client at /socket with no subprotocol lands on the first endpoint', async () => {
    const t = await startTransport();
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/socket?x=1`);
    assert.equal(ws.protocol, '');
    assert.equal(t.accepted.length, 1);
    assert.equal(t.accepted[0]!.endpoint, 'socket');
    assert.equal(t.accepted[0]!.context.subprotocol, undefined);
    assert.equal(t.accepted[0]!.context.url.searchParams.get('x'), '1');
    ws.send(Buffer.from([1, 2, 3]));
    assert.deepEqual([...(await nextMessage(ws))], [1, 2, 3]);
  });

  test('an unknown path gets HTTP 404 on upgrade', async () => {
    const t = await startTransport();
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${t.port}/nowhere`), 404);
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${t.port}/`, ['not-claimed']), 404);
    assert.equal(t.accepted.length, 0);
  });

  // docs/protocols/zwibbler.md#the-upgrade-header-may-be-in-any-case
  test('"Upgrade: WebSocket" with a capital W is accepted with 101', async () => {
    const t = await startTransport();
    const key = crypto.randomBytes(16).toString('base64');
    const expectedAccept = crypto
      .createHash('sha1')
      .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
      .digest('base64');
    const socket = net.connect(t.port, '127.0.0.1');
    rawSockets.push(socket);
    socket.write(
      [
        'GET /socket HTTP/1.1',
        `Host: 127.0.0.1:${t.port}`,
        'Upgrade: WebSocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
    const head = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => {
        text += d;
        if (text.includes('\r\n\r\n')) resolve(text.slice(0, text.indexOf('\r\n\r\n')));
      });
      socket.on('error', reject);
      socket.on('end', () => reject(new Error(`connection ended after ${JSON.stringify(text)}`)));
    });
    const [statusLine, ...headers] = head.split('\r\n');
    assert.match(statusLine!, /^HTTP\/1\.1 101 /);
    assert.ok(
      headers.some((h) => /^sec-websocket-accept:/i.test(h) && h.endsWith(` ${expectedAccept}`)),
      `no matching Sec-WebSocket-Accept in ${JSON.stringify(headers)}`,
    );
    assert.deepEqual(
      t.accepted.map((a) => a.endpoint),
      ['socket'],
    );
    socket.destroy();
  });
});

describe('HTTP routes', () => {
  test('plain requests are routed by path, and 404 otherwise', async () => {
    const t = await startTransport();
    const route = (name: string, path: string): HttpRoute => ({
      name,
      path: mountedAt(path),
      handle: (_req, res, url) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`${name} ${url.pathname}${url.search}`);
      },
    });
    t.transport.addRoute(route('status', '/status'));
    t.transport.addRoute(route('api', '/api/'));
    const base = `http://127.0.0.1:${t.port}`;
    assert.deepEqual(await httpGet(`${base}/status?ping`), {
      status: 200,
      body: 'status /status?ping',
    });
    assert.deepEqual(await httpGet(`${base}/api/rooms/1`), {
      status: 200,
      body: 'api /api/rooms/1',
    });
    assert.equal((await httpGet(`${base}/status/more`)).status, 404);
    assert.equal((await httpGet(`${base}/`)).status, 404);
    assert.equal((await httpGet(`${base}/nothing`)).status, 404);
  });

  test('a route that throws answers 500 and the server keeps serving', async () => {
    const t = await startTransport();
    t.transport.addRoute({
      name: 'broken',
      path: mountedAt('/broken'),
      handle: () => {
        throw new Error('boom');
      },
    });
    const base = `http://127.0.0.1:${t.port}`;
    assert.equal((await httpGet(`${base}/broken`)).status, 500);
    assert.equal((await httpGet(`${base}/other`)).status, 404);
  });
});

describe('compression', () => {
  const negotiated = (ws: WebSocket) => ws.extensions.includes('permessage-deflate');

  test('permessage-deflate is negotiated when on and the client offers it', async () => {
    const t = await startTransport({ compression: true });
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/socket`);
    assert.equal(negotiated(ws), true, `extensions: ${JSON.stringify(ws.extensions)}`);
    const big = Buffer.alloc(4096, 'a');
    ws.send(big);
    assert.deepEqual(await nextMessage(ws), big, 'compressed messages round-trip');
    const chat = await connect(`ws://127.0.0.1:${t.port}/`, [CHAT]);
    assert.equal(negotiated(chat.ws), true, 'an endpoint without allowsCompression allows it');
  });

  test('not when the client does not offer it', async () => {
    const t = await startTransport({ compression: true });
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/socket`, [], {
      perMessageDeflate: false,
    });
    assert.equal(negotiated(ws), false);
  });

  test('not when compression is off', async () => {
    const t = await startTransport({ compression: false });
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/socket`);
    assert.equal(ws.extensions, '');
    const chat = await connect(`ws://127.0.0.1:${t.port}/`, [CHAT]);
    assert.equal(chat.ws.extensions, '');
  });

  test("not when the endpoint's allowsCompression returns false", async () => {
    const t = await startTransport({ compression: true });
    const { ws } = await connect(`ws://127.0.0.1:${t.port}/socket?compression=0`);
    assert.equal(ws.extensions, '');
    assert.equal(t.accepted[0]!.endpoint, 'socket');
  });
});

describe('limits and lifecycle', () => {
  test('a message larger than maxMessageBytes closes with 1009', async () => {
    const t = await startTransport({ maxMessageBytes: 1024 });
    const c = await connect(`ws://127.0.0.1:${t.port}/socket`);
    c.ws.send(Buffer.alloc(1024, 1));
    assert.equal((await nextMessage(c.ws)).length, 1024, 'exactly the limit is accepted');
    c.ws.send(Buffer.alloc(1025, 1));
    assert.equal((await c.closed).code, CloseCode.MessageTooBig);
    // The endpoint hears of the close too. (ws stops reading after a protocol
    // error, so its side reports 1006, not the client's answering 1009.)
    await t.accepted[0]!.closed;
    assert.equal(t.transport.connectionCount, 0);
  });

  test('close() sends 1001 to every open socket and stops accepting', async () => {
    const t = await startTransport();
    const a = await connect(`ws://127.0.0.1:${t.port}/socket`);
    const b = await connect(`ws://127.0.0.1:${t.port}/`, [CHAT]);
    assert.equal(t.transport.connectionCount, 2);
    await t.transport.close();
    assert.equal((await a.closed).code, CloseCode.GoingAway);
    assert.equal((await b.closed).code, CloseCode.GoingAway);
    const handlerCodes = await Promise.all(t.accepted.map(async (x) => (await x.closed).code));
    assert.deepEqual(handlerCodes, [CloseCode.GoingAway, CloseCode.GoingAway]);
    assert.equal(t.transport.connectionCount, 0);
    const late = client(`ws://127.0.0.1:${t.port}/socket`);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) =>
      late.ws.once('error', resolve),
    );
    assert.equal(err.code, 'ECONNREFUSED');
  });

  test('listening on a busy port rejects with ListenError EADDRINUSE naming the port', async () => {
    const blocker = net.createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const transport = new HttpTransport({
      compression: true,
      maxMessageBytes: 1024,
      maxQueuedBytes: 64 * 1024,
      keepaliveMs: 0,
      log,
    });
    transports.push(transport);
    await assert.rejects(transport.listen('127.0.0.1', port), (err: unknown) => {
      assert.ok(err instanceof ListenError, `expected a ListenError, got ${String(err)}`);
      assert.equal(err.code, 'EADDRINUSE');
      assert.ok(err.message.includes(String(port)), err.message);
      assert.match(err.message, /already in use/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });
});
