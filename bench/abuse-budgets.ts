// The rows of `npm run bench:abuse` for the budgets (docs/operating.md#budgets):
// each attack against a fresh hub of its own (`lanboard serve`, defaults,
// `--db memory`), while a bystander on 127.0.0.3 keeps syncing a Yjs room and
// /healthz is polled. Prints, per attack: the hub's worst event-loop stall
// (its /metrics maximum over the attack), the worst /healthz latency, the peak
// RSS growth, RSS once the attacker has left, and the bystander's p99 sync
// time before and during the attack. No assertions.
import WebSocket from 'ws';
import * as Y from 'yjs';
import { encodeUpdate } from '../server/protocols/yjs/codec';
import { encodeMessage } from '../server/protocols/zwibbler/codec';
import { joinedPeer, post } from '../server/test/sse-client';
import { initMessage, setKeyMessage } from '../server/test/zwibbler-client';
import { bystanderPair, httpClient } from './abuse-clients';
import { rssBytes, rssPeak, start, tempDir, waitForLine } from './processes';

const BYSTANDER = '127.0.0.3';
const ATTACKER = '127.0.0.13';
const MiB = 1024 * 1024;

interface Hub {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

async function freshHub(settings: Record<string, string> = {}): Promise<Hub> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LANBOARD_'))),
    ...settings,
  };
  const dir = tempDir();
  // BENCH_CPU_PROF=<dir>: each hub writes a CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF;
  const node = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const args = [...node, 'bin/lanboard.js', 'serve', '--host', '127.0.0.1', '--port', '0'];
  const child = start([...args, '--no-mdns', '--db', 'memory', '--data-dir', dir], env);
  const port = await waitForLine(child, 'hub listening', (line) =>
    line.includes('"hub listening"') ? (JSON.parse(line) as { port: number }).port : undefined,
  );
  return { pid: child.pid, port, stop: () => child.stop() };
}

const p99 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
};

/** The hub's largest event-loop delay since the previous scrape, in ms. */
async function loopMax(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('lanboard_event_loop_lag_seconds{quantile="1"}'));
  return Math.round(Number(line?.split(' ').pop() ?? NaN) * 1000);
}

/** Opens a `ws` client from the attacker's address; resolves with it once open. */
async function attacker(url: string, compress: boolean): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: compress, localAddress: ATTACKER });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

const closeOf = (ws: WebSocket) =>
  new Promise<number>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(1006);
    ws.once('close', (code) => resolve(code));
  });

const sendAndWait = (ws: WebSocket, data: Buffer | Uint8Array, binary = true) =>
  new Promise<void>((resolve) => ws.send(data, { binary, compress: true }, () => resolve()));

/** A valid SyncStep1 whose state vector is `padding` zeros: a few KiB once deflated. */
function paddedSyncStep1(padding: number): Buffer {
  const length: number[] = [];
  for (let n = padding; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      length.push(n);
      break;
    }
    length.push((n % 128) | 128);
  }
  return Buffer.concat([Buffer.from([0, 0, ...length]), Buffer.alloc(padding)]);
}

/** One map of `n` small entries: the costliest update shape for its size, one struct an entry. */
function mapUpdate(n: number): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    const m = doc.getMap('m');
    for (let i = 0; i < n; i++) m.set(`k${i}`, i);
  });
  return Y.encodeStateAsUpdate(doc);
}

/** The costliest update shape that fits in `bytes`: one map of many small entries. */
function largestMapUpdate(bytes: number): Uint8Array {
  const build = mapUpdate;
  const probe = build(100_000);
  let n = Math.floor(((bytes - 64) / probe.length) * 100_000);
  for (;;) {
    const update = build(n);
    if (encodeUpdate(update).length <= bytes) return update;
    n = Math.floor(n * 0.99);
  }
}

interface Attack {
  name: string;
  sent: string;
  /** Settings of the attacked hub, as environment variables; its defaults otherwise. */
  settings?: Record<string, string>;
  /** Work done before the hub starts and the sampling begins: this process stalls meanwhile. */
  prepare?(): void;
  run(hub: Hub): Promise<string>;
}

/** The costliest update `YjsMaxUpdateBytes` lets through, framed; built once, before sampling. */
let largestFrame: Uint8Array | undefined;
const prepareLargest = () => {
  largestFrame ??= encodeUpdate(largestMapUpdate(8 * MiB));
};

/** The costliest update `YjsMaxRoomStructs` (250,000) lets into a room, framed. */
const ROOM_STRUCTS = 250_000;
let fullRoomFrame: Uint8Array | undefined;
const prepareFullRoom = () => {
  // A map's entries and the map itself: one struct under the limit, room for a client's own.
  fullRoomFrame ??= encodeUpdate(mapUpdate(ROOM_STRUCTS - 2));
};

/**
 * `count` updates, each to a room of its own; with `hold`, every room is kept
 * open by its writer until the last (so the rooms stay in memory together).
 */
async function mapUpdates(hub: Hub, frame: Uint8Array, count: number, hold: boolean) {
  const outcomes: string[] = [];
  const open: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const ws = await attacker(`ws://127.0.0.1:${hub.port}/yjs/huge-${i}`, false);
    const closed = closeOf(ws);
    await sendAndWait(ws, frame);
    const code = await Promise.race([
      closed,
      new Promise<string>((r) => setTimeout(() => r('applied'), 3000)),
    ]);
    outcomes.push(String(code));
    if (hold) open.push(ws);
    else ws.close();
  }
  for (const ws of open) ws.close();
  return `${(frame.length / MiB).toFixed(2)} MiB each: ${outcomes.join(', ')}`;
}

/**
 * A room filled to `YjsMaxRoomStructs`, left (so the hub unloads it), then
 * opened again `times` times, each time until the hub greets the client
 * (once the room has loaded), and left again.
 */
async function reopenFullRoom(hub: Hub, times: number): Promise<string> {
  const url = `ws://127.0.0.1:${hub.port}/yjs/reopened`;
  const writer = await attacker(url, false);
  await sendAndWait(writer, fullRoomFrame!);
  await new Promise((r) => setTimeout(r, 3000)); // applied and stored
  writer.close();
  const loads: number[] = [];
  for (let i = 0; i < times; i++) {
    await new Promise((r) => setTimeout(r, 1500)); // unloaded meanwhile
    const began = Date.now();
    const ws = await attacker(url, false);
    await new Promise((resolve) => ws.once('message', resolve));
    loads.push(Date.now() - began);
    ws.close();
  }
  return `loaded ${times}×, ${Math.min(...loads)}–${Math.max(...loads)} ms each`;
}

/** Four of the costliest updates `YjsMaxUpdateBytes` lets through, each to a room of its own. */
const largestUpdates = (hub: Hub) => mapUpdates(hub, largestFrame!, 4, false);

/** Before the rooms' struct budgets: as many structs as the bytes allow. */
const NO_STRUCT_BUDGETS = {
  LANBOARD_YJS_MAX_ROOM_STRUCTS: '100000000',
  LANBOARD_YJS_MAX_LIVE_STRUCTS: '1000000000',
};

const ATTACKS: Attack[] = [
  {
    name: 'deflate bomb past the inbound budget (`/yjs`)',
    sent: '3 connections × 40 messages of 7 MiB zeros (a padded SyncStep1), 7 KiB each on the wire',
    async run(hub) {
      const message = paddedSyncStep1(7 * MiB);
      const codes = await Promise.all(
        [0, 1, 2].map(async (i) => {
          const ws = await attacker(`ws://127.0.0.1:${hub.port}/yjs/bomb-${i}`, true);
          const closed = closeOf(ws);
          for (let j = 0; j < 40 && ws.readyState === WebSocket.OPEN; j++)
            await sendAndWait(ws, message);
          return closed;
        }),
      );
      return `closed ${codes.join(', ')}`;
    },
  },
  {
    name: 'deflate bomb past YjsMaxUpdateBytes',
    sent: '20 connections, one after another, each one message of 60 MiB zeros (60 KiB on the wire)',
    async run(hub) {
      const message = paddedSyncStep1(60 * MiB);
      const codes = new Map<number, number>();
      for (let i = 0; i < 20; i++) {
        const ws = await attacker(`ws://127.0.0.1:${hub.port}/yjs/big-${i}`, true);
        const closed = closeOf(ws);
        await sendAndWait(ws, message);
        const code = await closed;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      return [...codes].map(([code, n]) => `${n}× closed ${code}`).join(', ');
    },
  },
  {
    name: 'largest Yjs update (`YjsMaxUpdateBytes`, 8 MiB), applied whole',
    sent: '4 updates of one map with ~475,000 entries, each to a room of its own; `YjsMaxUpdateStructs=10000000`, as before the budget',
    settings: { LANBOARD_YJS_MAX_UPDATE_STRUCTS: '10000000', ...NO_STRUCT_BUDGETS },
    prepare: prepareLargest,
    run: largestUpdates,
  },
  {
    name: 'largest Yjs update (`YjsMaxUpdateBytes`, 8 MiB), in steps',
    sent: 'the same, `YjsMaxUpdateStructs` at its default (20,000), no struct budgets for the rooms',
    settings: NO_STRUCT_BUDGETS,
    prepare: prepareLargest,
    run: largestUpdates,
  },
  {
    name: 'largest Yjs update (`YjsMaxUpdateBytes`, 8 MiB), at the defaults',
    sent: 'the same, every budget at its default: refused by `YjsMaxRoomStructs`',
    prepare: prepareLargest,
    run: largestUpdates,
  },
  {
    name: 'largest Yjs rooms (`YjsMaxRoomStructs`) until `YjsMaxLiveStructs`',
    sent: '5 updates of one map with 249,998 entries, each to a room of its own, all held open',
    prepare: prepareFullRoom,
    run: (hub) => mapUpdates(hub, fullRoomFrame!, 5, true),
  },
  {
    name: 'reopening a room of `YjsMaxRoomStructs`, loaded whole',
    sent: 'one update of 249,998 map entries to a room, then 5 times: open it (the hub loads it), leave (it unloads); `YjsMaxUpdateStructs=10000000`, as before loading in steps',
    settings: { LANBOARD_YJS_MAX_UPDATE_STRUCTS: '10000000' },
    prepare: prepareFullRoom,
    run: (hub) => reopenFullRoom(hub, 5),
  },
  {
    name: 'reopening a room of `YjsMaxRoomStructs`, loaded in steps',
    sent: 'the same, `YjsMaxUpdateStructs` at its default (20,000)',
    prepare: prepareFullRoom,
    run: (hub) => reopenFullRoom(hub, 5),
  },
  {
    name: 'SSE signaling resume buffers (`/rtc`)',
    sent: '90 peers in one room from 127.0.0.1; 89 drop their streams (kept 30 s to resume), and the 90th relays 8 offers of 60 KB to each: 43 MB for the hub to keep',
    async run(hub) {
      const base = `http://127.0.0.1:${hub.port}/rtc`;
      const peers = [];
      for (let i = 0; i < 90; i++) peers.push(await joinedPeer(base, `p${i}`, 'flood'));
      const [sender, ...dropped] = peers;
      for (const p of dropped) p.sse.cut();
      const statuses = new Map<number, number>();
      const offer = { type: 'offer', sdp: 'x'.repeat(60_000) };
      for (let round = 0; round < 8; round++) {
        for (const p of dropped) {
          const { status } = await post(
            `${base}/relay/${p.id}/session-description`,
            sender!.token,
            offer,
          );
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }
      for (const p of peers) p.sse.close();
      return [...statuses].map(([status, n]) => `${n}× ${status}`).join(', ');
    },
  },
  {
    name: 'Zwibbler keys at their budget',
    sent: '216 SET_KEYs of 64 KiB document keys (16 fill `MaxDocumentKeyBytes`), then 20 joins',
    async run(hub) {
      const url = `ws://127.0.0.1:${hub.port}/socket`;
      const writer = await attacker(url, false);
      writer.send(encodeMessage(initMessage({ docId: 'keys', initialData: 'x' })));
      let accepted = 0;
      let refused = 0;
      writer.on('message', (data: Buffer) => {
        if (data[0] !== 0x83) return;
        if (data[2] === 0 && data[3] === 1) accepted++;
        else refused++;
      });
      const value = 'v'.repeat(64 * 1024 - 8);
      for (let i = 0; i < 216; i++) {
        const name = `k${i}`.padEnd(8, '-');
        writer.send(
          encodeMessage(setKeyMessage({ name, value, lifetime: 1, newVersion: 1, requestId: i })),
        );
      }
      const joins = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const ws = await attacker(url, false);
          ws.send(encodeMessage(initMessage({ docId: 'keys' })));
          let bytes = 0;
          ws.on('message', (d: Buffer) => (bytes += d.length));
          await new Promise((r) => setTimeout(r, 1500));
          ws.terminate();
          return bytes;
        }),
      );
      writer.terminate();
      return `${accepted} accepted, ${refused} refused (0x83 with 0); a join received ${(Math.max(...joins) / MiB).toFixed(2)} MiB`;
    },
  },
];

/** Every attack against its own fresh hub: the rows of the budgets' table. */
export async function budgetRows(only?: RegExp): Promise<string[][]> {
  const rows: string[][] = [];
  for (const attack of ATTACKS.filter((a) => !only || only.test(a.name))) {
    attack.prepare?.();
    const hub = await freshHub(attack.settings);
    const base = `http://127.0.0.1:${hub.port}`;
    const boards = await bystanderPair(`ws://127.0.0.1:${hub.port}`, BYSTANDER);
    const before: number[] = [];
    for (let i = 0; i < 30; i++) before.push((await boards.syncs()) ?? 10_000);
    const health = httpClient('127.0.0.12', base);
    const rssBefore = rssBytes(hub.pid);
    await loopMax(base); // resets the hub's maximum
    const peak = rssPeak(hub.pid, 20);
    let attacking = true;
    const during: number[] = [];
    const healthMs: number[] = [];
    const sampling = Promise.all([
      (async () => {
        while (attacking) during.push((await boards.syncs()) ?? 10_000);
      })(),
      (async () => {
        while (attacking) {
          const began = Date.now();
          await health.request('/healthz');
          healthMs.push(Date.now() - began);
          await new Promise((r) => setTimeout(r, 50));
        }
      })(),
    ]);
    const outcome = await attack.run(hub);
    attacking = false;
    await sampling;
    const stall = await loopMax(base);
    const peakRss = peak.stop();
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssBytes(hub.pid);
    const mib = (b: number) => `${(b / MiB).toFixed(0)}`;
    rows.push([
      attack.name,
      attack.sent,
      outcome,
      `${stall}`,
      `${Math.max(...healthMs)}`,
      `+${mib(peakRss - rssBefore)}`,
      `${mib(rssBefore)} → ${mib(after)}`,
      `${p99(before)} / ${p99(during)}`,
    ]);
    health.close();
    boards.close();
    await hub.stop();
  }
  return rows;
}

export const BUDGET_HEAD = [
  'Attack (fresh hub)',
  'Attacker sent',
  'Hub answered',
  'Worst stall ms',
  'Worst /healthz ms',
  'Peak RSS MiB',
  'RSS before → after MiB',
  'Bystander p99 ms, before / during',
];
