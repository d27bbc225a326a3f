// Compression through a whole hub (config to transport to the Zwibbler
// endpoint): permessage-deflate by default, off with Compression=0, and off for
// one connection with `?compression=0`.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, describe, test } from 'node:test';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { ZwibblerClient, initMessage } from '../test/zwibbler-client';

const hubs: TestHub[] = [];
const clients: ZwibblerClient[] = [];

after(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(hubs.map((h) => h.stop()));
});

interface Opened {
  client: ZwibblerClient;
  /** The Sec-WebSocket-Extensions response header ('' when absent). */
  header: string;
}

/** A `ws` client offering permessage-deflate, as ws does by default. */
async function open(url: string): Promise<Opened> {
  let header: string | undefined;
  const client = await ZwibblerClient.open(url, {
    perMessageDeflate: true,
    // Runs on the upgrade response, before 'open'.
    finishRequest: (req) => {
      req.once('upgrade', (res: IncomingMessage) => {
        header = String(res.headers['sec-websocket-extensions'] ?? '');
      });
      req.end();
    },
  });
  clients.push(client);
  assert.notEqual(header, undefined, 'the upgrade response was seen');
  return { client, header: header! };
}

/** Joins with a document big enough to be compressed (threshold 256 bytes) and checks it comes back whole. */
async function joinAndRoundTrip(client: ZwibblerClient, docId: string): Promise<void> {
  const content = 'stroke;'.repeat(1000);
  client.send(initMessage({ docId, initialData: content }));
  assert.equal((await client.next()).type, 'append');
  const other = await open(client.ws.url.replace(/\?.*$/, '') + '?compression=0');
  other.client.send(initMessage({ docId }));
  const first = await other.client.next();
  assert.equal(first.type, 'append');
  assert.equal(first.type === 'append' && Buffer.from(first.data).toString(), content);
}

describe('permessage-deflate through a hub', () => {
  test('negotiated by default when the client offers it', async () => {
    const hub = await startHub();
    hubs.push(hub);
    const { client, header } = await open(`${hub.wsUrl}/socket`);
    assert.match(header, /^permessage-deflate/, `response header: ${header}`);
    assert.ok(
      client.ws.extensions.includes('permessage-deflate'),
      `ws.extensions: ${client.ws.extensions}`,
    );
    // The reference's settings: no context kept between messages.
    assert.match(header, /server_no_context_takeover/);
    await joinAndRoundTrip(client, 'compressed-doc');
  });

  test('not negotiated with Compression=false', async () => {
    const hub = await startHub({ Compression: false });
    hubs.push(hub);
    const { client, header } = await open(`${hub.wsUrl}/socket`);
    assert.equal(header, '', 'no Sec-WebSocket-Extensions header');
    assert.equal(client.ws.extensions, '');
    await joinAndRoundTrip(client, 'plain-doc');
  });

  test('not negotiated for a connection with ?compression=0 under the default config', async () => {
    const hub = await startHub();
    hubs.push(hub);
    const off = await open(`${hub.wsUrl}/socket?compression=0`);
    assert.equal(off.header, '', 'no Sec-WebSocket-Extensions header');
    assert.equal(off.client.ws.extensions, '');
    // Only that connection: the next one on the same hub still gets it.
    const on = await open(`${hub.wsUrl}/socket?compression=1`);
    assert.match(on.header, /^permessage-deflate/);
    await joinAndRoundTrip(off.client, 'opt-out-doc');
  });
});
