// The Zwibbler management API (docs/protocols/zwibbler.md#management-api) on a
// real hub: real HTTP through global fetch (or a raw socket where fetch cannot
// show the behaviour), real ws clients. Covers zwibserve's observed answers and
// Lanboard's fixes (docs/protocols/zwibbler.md#updateuser-changes-stored-tokens,
// docs/protocols/zwibbler.md#secrets-stay-out-of-the-logs,
// docs/protocols/zwibbler.md#createdocument-can-create-an-empty-document,
// docs/protocols/zwibbler.md#the-content-type-of-dumpdocument).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { captureLog } from '../../../test/captured-log';
import { sleep, startHub, tempDir } from '../../../test/hub-fixture';
import type { TestHub } from '../../../test/hub-fixture';
import { ackNack, append, errorMsg, setKey, setKeyAck } from '../../../test/messages';
import { ZwibblerClient } from '../../../test/zwibbler-client';
import type { InitOptions } from '../../../test/zwibbler-client';

// ---- helpers ---------------------------------------------------------------------

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
const ADMIN = basic('admin', 'secret');

interface ApiReply {
  status: number;
  /** The `Status` header, the reference's error text. */
  text: string | null;
  headers: Headers;
  body: Buffer;
}

interface PostOptions {
  /** The Authorization header; default: admin:secret; null: none. */
  auth?: string | null;
  /** Appended to the path, e.g. `?method=…`. */
  query?: string;
}

type Params = Record<string, string>;

async function post(
  baseUrl: string,
  body: Params | FormData | undefined,
  o: PostOptions = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  const auth = o.auth === undefined ? ADMIN : o.auth;
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${baseUrl}/socket${o.query ?? ''}`, {
    method: 'POST',
    headers,
    body: body === undefined || body instanceof FormData ? body : new URLSearchParams(body),
  });
  return {
    status: res.status,
    text: res.headers.get('status'),
    headers: res.headers,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** An RFC 1123 date `seconds` from now, as addToken wants it. */
const expiresIn = (seconds: number, from = Date.now()) =>
  new Date(from + seconds * 1000).toUTCString();

const clients: ZwibblerClient[] = [];
async function join(url: string, init: InitOptions): Promise<ZwibblerClient> {
  const c = await ZwibblerClient.join(url, init);
  clients.push(c);
  return c;
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const deepMessage = (actual: unknown, expected: unknown, what?: string) =>
  assert.deepEqual(actual, expected, what);

interface RawResult {
  /** Everything the server sent. */
  response: string;
  /** Body bytes written before the response head arrived. */
  sentBeforeResponse: number;
  /** Whether the server closed the connection soon after answering. */
  closedByServer: boolean;
}

/**
 * Sends a POST head declaring `declared` body bytes (or chunked when undefined),
 * then body bytes slowly until the server answers; never the whole declared body.
 */
async function oversizedPost(
  httpUrl: string,
  declared: number | undefined,
  auth: string | null,
  maxToSend: number,
): Promise<RawResult> {
  const u = new URL(httpUrl);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  let response = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
  socket.on('close', () => (closed = true));
  const head = [
    'POST /socket HTTP/1.1',
    `Host: ${u.host}`,
    'Content-Type: application/x-www-form-urlencoded',
    declared === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`,
    ...(auth === null ? [] : [`Authorization: ${auth}`]),
    '',
    '',
  ].join('\r\n');
  socket.write(head);
  const piece = Buffer.from(`method=createDocument&documentID=big&contents=${'A'.repeat(8150)}`);
  let sent = 0;
  const answered = () => response.includes('\r\n\r\n');
  while (!answered() && !closed && sent < maxToSend) {
    const chunk = declared === undefined ? chunkedFrame(piece) : piece;
    socket.write(chunk);
    sent += piece.length;
    await sleep(2);
  }
  await waitFor('a response head', () => answered() || closed);
  const sentBeforeResponse = sent;
  await waitFor('the server to close', () => closed, 3000).catch(() => {});
  const closedByServer = closed;
  socket.destroy();
  return { response, sentBeforeResponse, closedByServer };
}

const chunkedFrame = (data: Buffer) =>
  Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);

const statusLine = (response: string) => response.split('\r\n', 1)[0];
const headerOf = (response: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'im').exec(response.split('\r\n\r\n', 1)[0]!)?.[1];

const METHODS = [
  'createDocument',
  'deleteDocument',
  'dumpDocument',
  'checkDocument',
  'addToken',
  'updateUser',
] as const;

// ---- the main hub ----------------------------------------------------------------

let t: TestHub;
let base: string;
let wsUrl: string;
let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}-${Date.now().toString(36)}`;

before(async () => {
  t = await startHub({
    SecretUser: 'admin',
    SecretPassword: 'secret',
    // Many tests here fail a login on purpose; the throttle has its own hubs below.
    LoginFailureLimit: 1000,
    // So the authenticated body limit is 64 KiB + 64 KiB.
    MaxDocumentBytes: 64 * 1024,
  });
  base = t.httpUrl;
  wsUrl = `${t.wsUrl}/socket`;
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.stop();
});

// docs/protocols/zwibbler.md#common-rules
describe('common rules', () => {
  test('no credentials: 401, Status: Unauthorized, empty body, for every method', async () => {
    const doc = fresh('noauth');
    for (const method of METHODS) {
      const r = await post(
        base,
        {
          method,
          documentID: doc,
          contents: 'X',
          token: 't',
          userID: 'u',
          expiration: expiresIn(60),
        },
        { auth: null },
      );
      assert.equal(r.status, 401, method);
      assert.equal(r.text, 'Unauthorized', method);
      assert.equal(r.body.length, 0, method);
    }
    // Nothing ran: the createDocument above did not create the document.
    assert.equal((await post(base, { method: 'checkDocument', documentID: doc })).status, 404);
  });

  test('the observed vector: checkDocument without auth → 401', async () => {
    const r = await post(base, { method: 'checkDocument', documentID: 'doc1' }, { auth: null });
    assert.equal(r.status, 401);
    assert.equal(r.text, 'Unauthorized');
    assert.equal(r.body.length, 0);
  });

  test("unknown method `foo` → 400 Unknown 'method' parameter, even without credentials", async () => {
    for (const auth of [null, ADMIN, basic('admin', 'wrong')]) {
      const r = await post(base, { method: 'foo' }, { auth });
      assert.equal(r.status, 400, String(auth));
      assert.equal(r.text, "Unknown 'method' parameter");
      assert.equal(r.body.length, 0);
    }
  });

  test('a missing or inherited method name is unknown too (no prototype lookups)', async () => {
    const bodies: Params[] = [
      {},
      { method: '' },
      { method: 'constructor' },
      { method: 'toString' },
      { method: '__proto__' },
      { method: 'hasOwnProperty' },
    ];
    for (const body of bodies) {
      const r = await post(base, body, { auth: null });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.text, "Unknown 'method' parameter");
    }
    const noBody = await post(base, undefined, { auth: null });
    assert.equal(noBody.status, 400);
    assert.equal(noBody.text, "Unknown 'method' parameter");
  });

  test('a wrong user or a wrong password → 401', async () => {
    for (const auth of [basic('root', 'secret'), basic('admin', 'Secret'), basic('', '')]) {
      const r = await post(base, { method: 'checkDocument', documentID: 'x' }, { auth });
      assert.equal(r.status, 401, auth);
      assert.equal(r.text, 'Unauthorized');
      assert.equal(r.body.length, 0);
    }
  });

  test('a malformed Authorization header → 401', async () => {
    for (const auth of [
      'Basic',
      'Basic !!!not-base64!!!',
      `Basic ${Buffer.from('admin-secret').toString('base64')}`,
      'Bearer YWRtaW46c2VjcmV0',
      'YWRtaW46c2VjcmV0',
      `Basic YWRtaW46c2VjcmV0 trailing`,
    ]) {
      const r = await post(base, { method: 'checkDocument', documentID: 'x' }, { auth });
      assert.equal(r.status, 401, auth);
      assert.equal(r.text, 'Unauthorized');
    }
  });

  test('query-string parameters work (the observed vector with new2)', async () => {
    const doc = fresh('new2');
    assert.equal(
      (await post(base, { method: 'createDocument', documentID: doc, contents: 'x' })).status,
      200,
    );
    const r = await post(base, undefined, { query: `?method=checkDocument&documentID=${doc}` });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    const missing = await post(base, undefined, {
      query: `?method=checkDocument&documentID=${doc}-absent`,
    });
    assert.equal(missing.status, 404, 'the query parameter is really the one read');
    // The method may come from the query and the rest from the body.
    const mixed = await post(base, { documentID: doc }, { query: '?method=checkDocument' });
    assert.equal(mixed.status, 200);
  });

  test('a body value wins over the query string, as Go FormValue does', async () => {
    const doc = fresh('precedence');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'x' });
    const r = await post(
      base,
      { method: 'checkDocument', documentID: doc },
      { query: `?documentID=${doc}-absent` },
    );
    assert.equal(r.status, 200);
  });

  test('an urlencoded body works', async () => {
    const doc = fresh('urlenc');
    const r = await post(base, { method: 'createDocument', documentID: doc, contents: 'a&b=c ü' });
    assert.equal(r.status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString('utf8'), 'a&b=c ü');
  });

  test('a multipart/form-data body works, with plain fields', async () => {
    const doc = fresh('multipart');
    const form = new FormData();
    form.append('method', 'createDocument');
    form.append('documentID', doc);
    form.append('contents', 'FROM-MULTIPART');
    const r = await post(base, form);
    assert.equal(r.status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString('utf8'), 'FROM-MULTIPART');
  });

  test('a body over 64 KiB from an unauthenticated caller → 413 without reading it all', async () => {
    const declared = 64 * 1024 * 1024;
    const r = await oversizedPost(base, declared, null, 4 * 1024 * 1024);
    assert.match(statusLine(r.response)!, /^HTTP\/1\.1 413 /);
    assert.equal(headerOf(r.response, 'Status'), 'Request too large');
    assert.ok(r.sentBeforeResponse < 1024 * 1024, `answered after ${r.sentBeforeResponse} bytes`);
    // The unread rest must not hold the connection open: the server closes it.
    assert.equal(r.closedByServer, true, 'the server closed the connection after the 413');
  });

  test('a wrong password does not raise the limit', async () => {
    const r = await oversizedPost(base, 200 * 1024, basic('admin', 'nope'), 1024 * 1024);
    assert.match(statusLine(r.response)!, /^HTTP\/1\.1 413 /);
  });

  test('a chunked body is cut off once it passes 64 KiB', async () => {
    const r = await oversizedPost(base, undefined, null, 4 * 1024 * 1024);
    assert.match(statusLine(r.response)!, /^HTTP\/1\.1 413 /);
    assert.equal(headerOf(r.response, 'Status'), 'Request too large');
    assert.ok(r.sentBeforeResponse < 1024 * 1024, `answered after ${r.sentBeforeResponse} bytes`);
    assert.equal(r.closedByServer, true);
  });

  test('an authenticated caller may send more than 64 KiB, up to MaxDocumentBytes + 64 KiB', async () => {
    const doc = fresh('bigdoc');
    const contents = 'B'.repeat(60 * 1024);
    const padding = 'P'.repeat(40 * 1024); // the whole body is ~100 KiB
    const r = await post(base, { method: 'createDocument', documentID: doc, contents, padding });
    assert.equal(r.status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.length, contents.length);
    const tooBig = await oversizedPost(base, 129 * 1024, ADMIN, 1024 * 1024);
    assert.match(statusLine(tooBig.response)!, /^HTTP\/1\.1 413 /);
  });
});

describe('without SecretUser and SecretPassword', () => {
  test('every known method is 401 even with a Basic header; unknown is still 400', async () => {
    for (const config of [{}, { SecretUser: 'admin' }, { SecretPassword: 'secret' }]) {
      const hub = await startHub(config);
      try {
        const doc = fresh('disabled');
        for (const method of METHODS) {
          for (const auth of [ADMIN, basic('', ''), basic('admin', '')]) {
            const r = await post(
              hub.httpUrl,
              {
                method,
                documentID: doc,
                contents: 'X',
                token: 'tok',
                userID: 'u',
                expiration: expiresIn(60),
              },
              { auth },
            );
            assert.equal(r.status, 401, `${JSON.stringify(config)} ${method} ${auth}`);
            assert.equal(r.text, 'Unauthorized');
            assert.equal(r.body.length, 0);
          }
        }
        const unknown = await post(hub.httpUrl, { method: 'foo' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.text, "Unknown 'method' parameter");
        // The refused createDocument created nothing: a never-create join finds no document.
        const c = await join(`${hub.wsUrl}/socket`, { docId: doc, creationMode: 1 });
        deepMessage(c.messages[0], errorMsg(1, 'does not exist'));
      } finally {
        await hub.stop();
      }
    }
  });
});

// docs/protocols/zwibbler.md#common-rules
describe('missing parameters (empty counts as missing)', () => {
  const cases: [string, Params, string][] = [
    ['createDocument', { contents: 'x' }, 'documentID'],
    ['createDocument', { documentID: '', contents: 'x' }, 'documentID'],
    ['deleteDocument', {}, 'documentID'],
    ['dumpDocument', {}, 'documentID'],
    ['checkDocument', { documentID: '' }, 'documentID'],
    ['updateUser', { permissions: 'rw' }, 'userID'],
    ['updateUser', { userID: '', permissions: 'rw' }, 'userID'],
  ];
  const full: Params = {
    token: 'tok-missing',
    documentID: 'doc-missing',
    userID: 'user-missing',
    expiration: expiresIn(3600),
  };
  for (const field of ['token', 'documentID', 'userID', 'expiration']) {
    const without = { ...full };
    delete without[field];
    cases.push(['addToken', without, field]);
    cases.push(['addToken', { ...full, [field]: '' }, field]);
  }

  for (const [method, params, name] of cases) {
    test(`${method} without ${name} (${name in params ? 'empty' : 'absent'}) → 400 Missing ${name}`, async () => {
      const r = await post(base, { method, ...params });
      assert.equal(r.status, 400);
      assert.equal(r.text, `Missing ${name}`);
      assert.equal(r.body.length, 0);
    });
  }

  test('the refused addTokens stored no token', async () => {
    // With every field but one, nothing was stored: the full set is still accepted.
    const r = await post(base, { method: 'addToken', ...full, documentID: fresh('missing-ok') });
    assert.equal(r.status, 200);
  });
});

// docs/protocols/zwibbler.md#createdocument
describe('createDocument', () => {
  test('without contents → 400 Missing contents (the observed vector)', async () => {
    const doc = fresh('new1');
    const r = await post(base, { method: 'createDocument', documentID: doc });
    assert.equal(r.status, 400);
    assert.equal(r.text, 'Missing contents');
    assert.equal(r.body.length, 0);
    assert.equal((await post(base, { method: 'checkDocument', documentID: doc })).status, 404);
  });

  test('with contents → 200, again → 409 (the observed vector)', async () => {
    const doc = fresh('new1');
    const first = await post(base, {
      method: 'createDocument',
      documentID: doc,
      contents: 'HELLO',
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.length, 0);
    const again = await post(base, {
      method: 'createDocument',
      documentID: doc,
      contents: 'OTHER',
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.length, 0);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString(), 'HELLO', 'the 409 changed nothing');
  });

  // docs/protocols/zwibbler.md#createdocument-can-create-an-empty-document
  test('`contents=` present but empty creates an EMPTY document', async () => {
    const doc = fresh('empty');
    const r = await post(base, { method: 'createDocument', documentID: doc, contents: '' });
    assert.equal(r.status, 200);
    assert.equal((await post(base, { method: 'checkDocument', documentID: doc })).status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.status, 200);
    assert.equal(dump.body.length, 0);
    // A client sees it exists (never-create succeeds) and is empty.
    const c = await join(wsUrl, { docId: doc, creationMode: 1 });
    deepMessage(c.messages[0], append(3, 0, ''));
    const again = await post(base, { method: 'createDocument', documentID: doc, contents: '' });
    assert.equal(again.status, 409);
  });

  test('`contents=` in the query string counts as present too', async () => {
    const doc = fresh('empty-q');
    const r = await post(
      base,
      { method: 'createDocument', documentID: doc },
      { query: '?contents=' },
    );
    assert.equal(r.status, 200);
    assert.equal((await post(base, { method: 'dumpDocument', documentID: doc })).body.length, 0);
  });

  test('an uploaded file part named contents is used when the field is empty, byte for byte', async () => {
    const doc = fresh('upload');
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0x41, 0xc3, 0x28]);
    const form = new FormData();
    form.append('method', 'createDocument');
    form.append('documentID', doc);
    form.append('contents', new Blob([bytes]), 'drawing.bin');
    const r = await post(base, form);
    assert.equal(r.status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.status, 200);
    assert.deepEqual(dump.body, bytes);
  });

  test('contents over MaxDocumentBytes → 413: such a document could never take an append', async () => {
    const limit = 64 * 1024; // the hub's MaxDocumentBytes
    const atLimit = fresh('at-limit');
    const ok = await post(base, {
      method: 'createDocument',
      documentID: atLimit,
      contents: 'L'.repeat(limit),
    });
    assert.equal(ok.status, 200, 'exactly the limit is fine');

    const over = fresh('over-limit');
    const r = await post(base, {
      method: 'createDocument',
      documentID: over,
      contents: 'L'.repeat(limit + 1),
    });
    assert.equal(r.status, 413);
    assert.equal(r.text, 'Document larger than MaxDocumentBytes');
    const form = new FormData();
    form.append('method', 'createDocument');
    form.append('documentID', over);
    form.append('contents', new Blob([Buffer.alloc(limit + 1, 1)]), 'big.bin');
    assert.equal((await post(base, form)).status, 413, 'an uploaded file part too');
    assert.equal((await post(base, { method: 'checkDocument', documentID: over })).status, 404);

    const token = fresh('tok-over');
    const viaToken = await post(base, {
      method: 'addToken',
      token,
      documentID: over,
      userID: 'u',
      permissions: 'rw',
      expiration: expiresIn(3600),
      contents: 'L'.repeat(limit + 1),
    });
    assert.equal(viaToken.status, 413);
    assert.equal((await post(base, { method: 'checkDocument', documentID: over })).status, 404);
    const c = await join(wsUrl, { docId: token, creationMode: 1 });
    deepMessage(c.messages[0], errorMsg(1, 'does not exist'), 'the token was not stored');
  });

  test('live clients are not told; later joiners see the document', async () => {
    const doc = fresh('created');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'abc' });
    const c = await join(wsUrl, { docId: doc, creationMode: 1 });
    deepMessage(c.messages[0], append(3, 0, 'abc'));
  });
});

// docs/protocols/zwibbler.md#dumpdocument-and-checkdocument
describe('dumpDocument and checkDocument', () => {
  // docs/protocols/zwibbler.md#the-content-type-of-dumpdocument
  test('dump: 200 with the raw bytes and Content-Type application/octet-stream', async () => {
    // The observed vector: a document written by clients to "helloabcQXYZW".
    const doc = fresh('doc1');
    const a = await join(wsUrl, { docId: doc, initialData: 'hello' });
    a.append(5, 'abc');
    deepMessage(await a.nextOf('ack-nack'), ackNack(1, 8));
    a.append(8, 'QXYZW');
    deepMessage(await a.nextOf('ack-nack'), ackNack(1, 13));
    const r = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/octet-stream');
    assert.equal(r.headers.get('content-length'), '13');
    assert.equal(r.body.toString('latin1'), 'helloabcQXYZW');
    assert.equal(r.text, null, 'a success carries no Status header');
  });

  test('check: 200 with an empty body when the document exists', async () => {
    const doc = fresh('check');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'xyz' });
    const r = await post(base, { method: 'checkDocument', documentID: doc });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
  });

  test('both: 404 for a missing document, with no body', async () => {
    const doc = fresh('absent');
    for (const method of ['dumpDocument', 'checkDocument']) {
      const r = await post(base, { method, documentID: doc });
      assert.equal(r.status, 404, method);
      assert.equal(r.body.length, 0, method);
    }
    // Looking did not create it.
    const c = await join(wsUrl, { docId: doc, creationMode: 1 });
    deepMessage(c.messages[0], errorMsg(1, 'does not exist'));
  });
});

// docs/protocols/zwibbler.md#deletedocument
describe('deleteDocument', () => {
  test('200 even when the document did not exist', async () => {
    const r = await post(base, { method: 'deleteDocument', documentID: fresh('never-was') });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
  });

  test('an unconnected document is deleted', async () => {
    const doc = fresh('del');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'x' });
    assert.equal((await post(base, { method: 'deleteDocument', documentID: doc })).status, 200);
    assert.equal((await post(base, { method: 'checkDocument', documentID: doc })).status, 404);
  });

  test('connected clients get ERROR 1 and a 4404 close; the document and its keys are gone', async () => {
    const doc = fresh('del-live');
    const a = await join(wsUrl, { docId: doc, initialData: 'abc' });
    const b = await join(wsUrl, { docId: doc });
    deepMessage(b.messages[0], append(3, 0, 'abc'));
    a.send(setKey(7, 1, 0, 1, 'color', 'red')); // a document key (lifetime ≠ 0)
    deepMessage(await a.nextOf('set-key-ack-nack'), setKeyAck(true, 7));
    await b.nextOf('key-information');
    const other = await join(wsUrl, { docId: fresh('bystander') });

    const r = await post(base, { method: 'deleteDocument', documentID: doc });
    assert.equal(r.status, 200);
    for (const [name, c] of [
      ['a', a],
      ['b', b],
    ] as const) {
      deepMessage(await c.nextOf('error'), errorMsg(1, 'does not exist'), name);
      assert.equal((await c.closed).code, 4404, name);
    }
    assert.equal(await other.quiet(100), true, 'clients of other documents are untouched');

    assert.equal((await post(base, { method: 'checkDocument', documentID: doc })).status, 404);
    const never = await join(wsUrl, { docId: doc, creationMode: 1 });
    deepMessage(never.messages[0], errorMsg(1, 'does not exist'));
    assert.equal((await never.closed).code, 4404);

    // Recreated under the same ID, it has none of the old keys.
    await post(base, { method: 'createDocument', documentID: doc, contents: 'new' });
    const c = await join(wsUrl, { docId: doc, creationMode: 1 });
    deepMessage(c.messages[0], append(3, 0, 'new'));
    assert.equal(await c.quiet(200), true, 'no KEY_INFORMATION: the old keys went with it');
  });
});

// docs/protocols/zwibbler.md#addtoken
describe('addToken', () => {
  const tokenParams = (o: Params): Params => ({
    method: 'addToken',
    userID: 'someone',
    permissions: 'rw',
    expiration: expiresIn(3600),
    ...o,
  });

  test('a bad expiration → 400 Incorrect expires format', async () => {
    for (const expiration of [
      '2026-11-22T01:57:27Z',
      'tomorrow',
      'Sun, 2 Nov 2031 01:57:27 GMT',
      'Sun, 31 Feb 2031 01:57:27 GMT',
      String(Math.floor(Date.now() / 1000) + 3600),
    ]) {
      const token = fresh('tok-badexp');
      const r = await post(base, tokenParams({ token, documentID: fresh('d'), expiration }));
      assert.equal(r.status, 400, expiration);
      assert.equal(r.text, 'Incorrect expires format');
      // Nothing was stored: the same token is accepted with a good date.
      const ok = await post(base, tokenParams({ token, documentID: fresh('d') }));
      assert.equal(ok.status, 200, expiration);
    }
  });

  test('a valid RFC 1123 date → 200; joining with the token routes to its document with its permissions', async () => {
    const doc = fresh('tokdoc');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'HELLO' });
    const reader = fresh('tok-r');
    const writer = fresh('tok-rw');
    const expiration = expiresIn(24 * 3600); // "Sun, 22 Nov 2026 01:57:27 GMT"-style
    assert.match(expiration, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    for (const [token, userID, permissions] of [
      [reader, 'reader-user', 'r'],
      [writer, 'writer-user', 'rw'],
    ]) {
      const r = await post(base, {
        method: 'addToken',
        token: token!,
        documentID: doc,
        userID: userID!,
        permissions: permissions!,
        expiration,
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.length, 0);
    }

    const rc = await join(wsUrl, { docId: reader });
    deepMessage(rc.messages[0], append(3, 0, 'HELLO'), 'the token led to the real document');
    rc.append(5, 'nope');
    deepMessage(await rc.nextOf('ack-nack'), ackNack(2, 5), 'r only: ack 2, nothing written');

    const wc = await join(wsUrl, { docId: writer });
    deepMessage(wc.messages[0], append(3, 0, 'HELLO'));
    wc.append(5, 'Y');
    deepMessage(await wc.nextOf('ack-nack'), ackNack(1, 6));
    deepMessage(await rc.nextOf('append'), append(3, 5, 'Y'), 'both are in the same document');

    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString(), 'HELLOY');
    const [info] = t.hub.registry.clients({ userId: 'writer-user' });
    assert.equal(info?.room, doc);
    assert.deepEqual(info?.permissions, { read: true, write: true, admin: false });
    // No document was made under the token's name.
    assert.equal((await post(base, { method: 'checkDocument', documentID: writer })).status, 404);
  });

  test('a token whose expiration has passed is refused with ERROR 4', async () => {
    const token = fresh('tok-old');
    const doc = fresh('old-doc');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'x' });
    const r = await post(
      base,
      tokenParams({ token, documentID: doc, expiration: 'Mon, 01 Jan 2001 00:00:00 GMT' }),
    );
    assert.equal(r.status, 200);
    const c = await join(wsUrl, { docId: token });
    deepMessage(c.messages[0], errorMsg(4, 'access denied'));
    assert.equal((await c.closed).code, 4403);
  });

  test('empty permissions mean nothing: joining with the token gets ERROR 4', async () => {
    const token = fresh('tok-none');
    const doc = fresh('none-doc');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'x' });
    const r = await post(base, tokenParams({ token, documentID: doc, permissions: '' }));
    assert.equal(r.status, 200);
    const c = await join(wsUrl, { docId: token });
    deepMessage(c.messages[0], errorMsg(4, 'access denied'));
  });

  test('409 when the token already exists', async () => {
    const token = fresh('tok-dup');
    const doc = fresh('dup-doc');
    assert.equal((await post(base, tokenParams({ token, documentID: doc }))).status, 200);
    const again = await post(base, tokenParams({ token, documentID: fresh('other') }));
    assert.equal(again.status, 409);
    assert.equal(again.body.length, 0);
  });

  test('contents create the missing document', async () => {
    const token = fresh('tok-create');
    const doc = fresh('token-made');
    const r = await post(base, tokenParams({ token, documentID: doc, contents: 'XYZ' }));
    assert.equal(r.status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.status, 200);
    assert.equal(dump.body.toString(), 'XYZ');
  });

  test('409 when contents are given for an existing document, which is left alone', async () => {
    const doc = fresh('exists');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'ORIGINAL' });
    const token = fresh('tok-exists');
    const r = await post(base, tokenParams({ token, documentID: doc, contents: 'REPLACEMENT' }));
    assert.equal(r.status, 409);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString(), 'ORIGINAL');
    // The token was not stored either: in open mode it is just a (missing) document ID.
    const c = await join(wsUrl, { docId: token, creationMode: 1 });
    deepMessage(c.messages[0], errorMsg(1, 'does not exist'));
    const retry = await post(base, tokenParams({ token, documentID: doc }));
    assert.equal(retry.status, 200, 'not 409: the token is free');
  });

  // docs/protocols/zwibbler.md#every-backend-follows-the-same-rules
  test('empty contents do not wipe an existing document (the memory backend did)', async () => {
    const doc = fresh('keep');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'KEEP' });
    const token = fresh('tok-keep');
    const r = await post(base, tokenParams({ token, documentID: doc, contents: '' }));
    assert.equal(r.status, 200);
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString(), 'KEEP');
    const c = await join(wsUrl, { docId: token });
    deepMessage(c.messages[0], append(3, 0, 'KEEP'));
  });
});

// docs/protocols/zwibbler.md#updateuser and
// docs/protocols/zwibbler.md#changing-the-permissions-of-live-clients
describe('updateUser', () => {
  async function addToken(
    base: string,
    token: string,
    documentID: string,
    userID: string,
    permissions: string,
  ) {
    const r = await post(base, {
      method: 'addToken',
      token,
      documentID,
      userID,
      permissions,
      expiration: expiresIn(3600),
    });
    assert.equal(r.status, 200);
  }

  test('a connected user demoted to r gets ack 2 on its next append; it stays connected', async () => {
    const doc = fresh('uu-doc');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'HELLO' });
    const user = fresh('demoted');
    const token = fresh('tok-demote');
    await addToken(base, token, doc, user, 'rw');
    const c = await join(wsUrl, { docId: token });
    c.append(5, 'A');
    deepMessage(await c.nextOf('ack-nack'), ackNack(1, 6));

    const r = await post(base, { method: 'updateUser', userID: user, permissions: 'r' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    c.append(6, 'B');
    // No write permission: ack 2 (docs/protocols/zwibbler.md#ack-and-nack).
    deepMessage(await c.nextOf('ack-nack'), ackNack(2, 6), 'no write permission: ack 2');
    assert.equal(c.ws.readyState, c.ws.OPEN);
    const [info] = t.hub.registry.clients({ userId: user });
    assert.deepEqual(info?.permissions, { read: true, write: false, admin: false });
    const dump = await post(base, { method: 'dumpDocument', documentID: doc });
    assert.equal(dump.body.toString(), 'HELLOA');
  });

  test('a user who loses r gets ERROR 4 access denied and a 4403 close; other users stay', async () => {
    const doc = fresh('uu-revoke');
    await post(base, { method: 'createDocument', documentID: doc, contents: 'x' });
    const loser = fresh('loser');
    const keeper = fresh('keeper');
    const tLoser = fresh('tok-loser');
    const tKeeper = fresh('tok-keeper');
    await addToken(base, tLoser, doc, loser, 'rw');
    await addToken(base, tKeeper, doc, keeper, 'rw');
    const a = await join(wsUrl, { docId: tLoser });
    const a2 = await join(wsUrl, { docId: tLoser }); // the same user twice
    const k = await join(wsUrl, { docId: tKeeper });

    const r = await post(base, { method: 'updateUser', userID: loser, permissions: 'w' });
    assert.equal(r.status, 200);
    for (const c of [a, a2]) {
      deepMessage(await c.nextOf('error'), errorMsg(4, 'access denied'));
      assert.equal((await c.closed).code, 4403);
    }
    k.append(1, 'k');
    deepMessage(await k.nextOf('ack-nack'), ackNack(1, 2), 'another user keeps writing');
    // The stored token changed too: a new connection is refused.
    const again = await join(wsUrl, { docId: tLoser });
    deepMessage(again.messages[0], errorMsg(4, 'access denied'));
  });

  test('updateUser for a user with no tokens or connections is 200', async () => {
    const r = await post(base, {
      method: 'updateUser',
      userID: fresh('nobody'),
      permissions: 'rw',
    });
    assert.equal(r.status, 200);
  });

  // docs/protocols/zwibbler.md#updateuser-changes-stored-tokens
  test('on SQLite the stored token really changes, and survives a restart', async () => {
    const tmp = tempDir();
    const config = {
      Database: 'sqlite' as const,
      DataDir: tmp.dir,
      DbFile: path.join(tmp.dir, 'hub.db'),
      SecretUser: 'admin',
      SecretPassword: 'secret',
    };
    let hub = await startHub(config);
    try {
      const url = () => `${hub.wsUrl}/socket`;
      const doc = 'sql-doc';
      const token = 'sql-token';
      await addToken(hub.httpUrl, token, doc, 'sql-user', 'r');
      await post(hub.httpUrl, { method: 'createDocument', documentID: doc, contents: 'S' });
      const before = await join(url(), { docId: token });
      before.append(1, 'x');
      deepMessage(await before.nextOf('ack-nack'), ackNack(2, 1), 'r only, before the update');

      const r = await post(hub.httpUrl, {
        method: 'updateUser',
        userID: 'sql-user',
        permissions: 'rw',
      });
      assert.equal(r.status, 200);
      before.append(1, 'L');
      deepMessage(await before.nextOf('ack-nack'), ackNack(1, 2), 'the live connection got w');

      const fresh1 = await join(url(), { docId: token });
      deepMessage(fresh1.messages[0], append(3, 0, 'SL'));
      fresh1.append(2, 'N');
      deepMessage(await fresh1.nextOf('ack-nack'), ackNack(1, 3), 'a NEW connection can write');

      await Promise.all([before.close(), fresh1.close()]);
      await hub.stop();
      hub = await startHub(config);
      const afterRestart = await join(url(), { docId: token });
      afterRestart.append(3, 'R');
      deepMessage(await afterRestart.nextOf('ack-nack'), ackNack(1, 4), 'stored on disk');
      await afterRestart.close();
    } finally {
      await hub.stop();
      tmp.remove();
    }
  });
});

// ---- throttling ------------------------------------------------------------------

describe('failed-login throttling', () => {
  test('3 bad logins lock the address out with 429 + Retry-After until the lockout passes', async () => {
    const clock = { t: Date.now() };
    const hub = await startHub(
      {
        SecretUser: 'admin',
        SecretPassword: 'secret',
        LoginFailureLimit: 3,
        LoginLockoutSeconds: 60,
      },
      { now: () => clock.t },
    );
    try {
      const check = (auth: string | null) =>
        post(hub.httpUrl, { method: 'checkDocument', documentID: 'x' }, { auth });
      const bad = basic('admin', 'wrong');
      for (let i = 0; i < 3; i++) assert.equal((await check(bad)).status, 401, `attempt ${i + 1}`);

      const locked = await check(ADMIN);
      assert.equal(locked.status, 429, 'even the right password is refused');
      assert.equal(locked.headers.get('retry-after'), '60');
      assert.equal(locked.body.length, 0);
      assert.match(locked.text ?? '', /retry/i);
      assert.equal((await check(null)).status, 429);
      // The method is still dispatched first: an unknown one is 400 as always.
      assert.equal((await post(hub.httpUrl, { method: 'foo' }, { auth: ADMIN })).status, 400);

      clock.t += 30_000;
      const later = await check(ADMIN);
      assert.equal(later.status, 429);
      assert.equal(later.headers.get('retry-after'), '30');

      clock.t += 30_001;
      assert.equal((await check(ADMIN)).status, 404, 'the right password works again');

      // ...and the success reset the count: two failures, a success, two failures: no lock.
      assert.equal((await check(bad)).status, 401);
      assert.equal((await check(bad)).status, 401);
      assert.equal((await check(ADMIN)).status, 404);
      assert.equal((await check(bad)).status, 401);
      assert.equal((await check(bad)).status, 401);
      assert.equal((await check(ADMIN)).status, 404);
    } finally {
      await hub.stop();
    }
  });

  test('another address is not affected (127.0.0.1 vs ::1 on a hub bound to ::)', async (ctx) => {
    const hub = await startHub({
      ServerBindAddress: '::',
      SecretUser: 'admin',
      SecretPassword: 'secret',
      LoginFailureLimit: 2,
      LoginLockoutSeconds: 60,
    }).catch(() => undefined);
    if (!hub) return ctx.skip('cannot listen on :: (no IPv6 on this machine)');
    try {
      const port = new URL(hub.httpUrl).port;
      const v4 = `http://127.0.0.1:${port}`;
      const v6 = `http://[::1]:${port}`;
      const reaches = (url: string) =>
        fetch(url).then(
          () => true,
          () => false,
        );
      if (!(await reaches(v4)) || !(await reaches(v6))) {
        return ctx.skip('127.0.0.1 and ::1 do not both reach a hub bound to ::');
      }
      const check = (url: string, auth: string) =>
        post(url, { method: 'checkDocument', documentID: 'x' }, { auth });
      const bad = basic('admin', 'wrong');
      assert.equal((await check(v4, bad)).status, 401);
      assert.equal((await check(v4, bad)).status, 401);
      assert.equal((await check(v4, ADMIN)).status, 429, '127.0.0.1 is locked out');
      assert.equal((await check(v6, ADMIN)).status, 404, '::1 is not');
      assert.equal(
        (await check(v6, bad)).status,
        401,
        "127.0.0.1's failures are not counted for ::1",
      );
      assert.equal((await check(v6, ADMIN)).status, 404);
      assert.equal((await check(v4, ADMIN)).status, 429, 'still locked');
    } finally {
      await hub.stop();
    }
  });
});

// ---- logs ------------------------------------------------------------------------

// docs/protocols/zwibbler.md#secrets-stay-out-of-the-logs
describe('logs never contain secrets', () => {
  test('passwords, the JWT key, tokens and JWTs stay out of every log line', async () => {
    const captured = captureLog('trace');
    const hooks: string[] = [];
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hooks.push(req.url ?? '');
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookPort = (receiver.address() as AddressInfo).port;

    const SECRET_PASSWORD = 'hunter2-secret';
    const WRONG_PASSWORD = 'wrong-pass-123';
    const JWT_KEY = 'jwt-key-material-xyz';
    const WEBHOOK_SECRET = 'webhook-secret-987';
    const TOKEN = 'tok-secret-abc';
    const hub = await startHub(
      {
        SecretUser: 'admin',
        SecretPassword: SECRET_PASSWORD,
        JWTKey: JWT_KEY,
        Webhook: `http://127.0.0.1:${hookPort}/hook`,
        WebhookSecret: WEBHOOK_SECRET,
        WebhookDelaySeconds: 0,
        LogLevel: 'trace',
      },
      { logger: captured.logger },
    );
    const goodJwt = signJwt(JWT_KEY, {
      sub: 'jwt-doc',
      u: 'jwt-user',
      p: 'rw',
      exp: nowSeconds() + 3600,
    });
    const badJwt = signJwt('some-other-key', {
      sub: 'jwt-doc',
      u: 'x',
      p: 'rw',
      exp: nowSeconds() + 3600,
    });
    try {
      const api = (body: Params, auth: string | null) => post(hub.httpUrl, body, { auth });
      const good = basic('admin', SECRET_PASSWORD);
      // Failed logins: a wrong password, and the right one given as the wrong user's.
      assert.equal(
        (await api({ method: 'checkDocument', documentID: 'd' }, basic('admin', WRONG_PASSWORD)))
          .status,
        401,
      );
      assert.equal(
        (await api({ method: 'checkDocument', documentID: 'd' }, basic('nobody', WRONG_PASSWORD)))
          .status,
        401,
      );
      // Successful calls.
      assert.equal(
        (await api({ method: 'createDocument', documentID: 'log-doc', contents: 'hello' }, good))
          .status,
        200,
      );
      assert.equal(
        (
          await api(
            {
              method: 'addToken',
              token: TOKEN,
              documentID: 'log-doc',
              userID: 'log-user',
              permissions: 'rw',
              expiration: expiresIn(3600),
            },
            good,
          )
        ).status,
        200,
      );
      assert.equal(
        (await api({ method: 'updateUser', userID: 'log-user', permissions: 'rwa' }, good)).status,
        200,
      );
      assert.equal(
        (await api({ method: 'dumpDocument', documentID: 'log-doc' }, good)).status,
        200,
      );

      // Joins: a stored token, a good JWT, a JWT with a bad signature.
      const url = `${hub.wsUrl}/socket`;
      const byToken = await join(url, { docId: TOKEN });
      deepMessage(byToken.messages[0], append(3, 0, 'hello'));
      const byJwt = await join(url, { docId: goodJwt });
      deepMessage(byJwt.messages[0], append(3, 0, ''));
      byJwt.append(0, 'j');
      deepMessage(await byJwt.nextOf('ack-nack'), ackNack(1, 1));
      const refused = await join(url, { docId: badJwt });
      deepMessage(refused.messages[0], errorMsg(4, 'access denied'));
      await Promise.all([byToken.close(), byJwt.close(), refused.close()]);
      // Both documents go idle: the webhook (with its secret) is sent and logged.
      await waitFor('two webhook calls', () => hooks.length >= 2, 10_000);
      await sleep(50);
    } finally {
      await hub.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }

    const out = captured.text();
    assert.match(out, /management login failed/, 'the capture works: the failed login is logged');
    assert.match(out, /client joined/);
    assert.match(out, /webhook/);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const forbidden = {
      SECRET_PASSWORD,
      WRONG_PASSWORD,
      JWT_KEY,
      'JWT_KEY (base64)': b64(JWT_KEY),
      'JWT_KEY (base64url)': Buffer.from(JWT_KEY).toString('base64url'),
      WEBHOOK_SECRET,
      'admin:password (base64)': b64(`admin:${SECRET_PASSWORD}`),
      'admin:wrong (base64)': b64(`admin:${WRONG_PASSWORD}`),
      TOKEN,
      'the good JWT': goodJwt,
      'the bad JWT': badJwt,
      "the good JWT's signature": goodJwt.split('.')[2]!,
    };
    for (const [what, value] of Object.entries(forbidden)) {
      assert.equal(out.includes(value), false, `${what} appears in the log`);
    }
  });
});

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function signJwt(key: string, claims: object): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}
