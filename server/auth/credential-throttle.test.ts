// Failed tokens per address, one budget for every protocol
// (docs/operating.md#guessing-tokens-and-codes), on a real hub in JWT mode
// with real clients: the attacker and the bystander have addresses of their own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { httpFrom } from '../test/from-address';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { openProvider } from '../test/yjs-client';
import type { TestProvider } from '../test/yjs-client';
import { initMessage, ZwibblerClient } from '../test/zwibbler-client';

const KEY = 'credential throttle key';
const ATTACKER = '127.0.0.2';
const BYSTANDER = '127.0.0.3';
let clock = Date.UTC(2026, 10, 22);

let t: TestHub;
const zwibblers: ZwibblerClient[] = [];
const providers: TestProvider[] = [];

before(async () => {
  t = await startHub(
    { JWTKey: KEY, TokenFailuresPerMinute: 3, RtcTokenKey: 'rtc key' },
    { now: () => clock },
  );
});
after(async () => {
  for (const p of providers) p.destroy();
  await Promise.all(zwibblers.map((z) => z.close()));
  await t.stop();
});

const jwt = (room: string) =>
  new SignJWT({ sub: room, p: 'rw', exp: Math.floor(clock / 1000) + 86_400 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(Buffer.from(KEY));

/** A Yjs connection from `from` with `token`: how it was closed (null once it syncs). */
function yjsClose(from: string, room: string, token: string) {
  const ws = new WebSocket(`${t.wsUrl}/yjs/${room}?token=${token}`, { localAddress: from });
  return new Promise<{ code: number; reason: string } | null>((resolve) => {
    ws.on('error', () => {});
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('message', (data: Buffer) => {
      if (data[0] !== 0) return; // the permission-denied message (2) comes before a refusal
      ws.close();
      resolve(null);
    });
  });
}

/** A Zwibbler INIT from `from`: the ERROR text (or the first message's type) and the close code. */
async function zwibblerInit(from: string, docId: string) {
  const z = await ZwibblerClient.open(`${t.wsUrl}/socket`, { localAddress: from });
  zwibblers.push(z);
  z.send(initMessage({ docId }));
  const first = await z.next();
  if (first.type !== 'error') return { first: first.type };
  return { first: Buffer.from(first.description).toString(), code: (await z.closed).code };
}

const sseConnect = (from: string, token: string) =>
  httpFrom(from, `${t.httpUrl}/rtc/connect?token=${token}`, {
    headers: { Accept: 'text/event-stream' },
  });

test('failed tokens on every protocol spend one budget per address; past it the address is refused unchecked, others are not, and it refills', async () => {
  // One failure on each protocol spends the budget of 3.
  assert.equal((await yjsClose(ATTACKER, 'lesson', 'not-a-token'))?.code, 4401);
  assert.equal((await sseConnect(ATTACKER, 'not-a-token')).status, 401);
  assert.equal((await zwibblerInit(ATTACKER, 'not-a-token')).code, 4403);

  // Now even a good token from that address is refused before it is looked at.
  const good = await jwt('lesson');
  const yjs = await yjsClose(ATTACKER, 'lesson', good);
  assert.equal(yjs?.code, 1008);
  assert.match(yjs?.reason ?? '', /too many failed tokens from this address; try again in \d+ s/);
  const sse = await sseConnect(ATTACKER, 'not-a-token');
  assert.equal(sse.status, 429);
  assert.equal(sse.headers['retry-after'], '20', 'one failure refills in 60 s / 3');
  assert.match(sse.text, /too many failed tokens/);
  const zw = await zwibblerInit(ATTACKER, good);
  assert.match(zw.first, /too many failed tokens/);
  assert.equal(zw.code, 1008);

  // A bystander with a good token is not affected, on Yjs or Zwibbler.
  const bystander = openProvider(t.wsUrl, 'lesson', {
    params: { token: good },
    localAddress: BYSTANDER,
  });
  providers.push(bystander);
  await bystander.synced();
  assert.equal((await zwibblerInit(BYSTANDER, good)).first, 'append');

  // Refused attempts cost nothing: a minute later the budget is back.
  clock += 60_000;
  assert.equal(await yjsClose(ATTACKER, 'lesson', good), null, 'the good token opens the room');
});
