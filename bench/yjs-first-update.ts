// How long the first update after a quiet spell takes to reach another client:
// the path the Yjs rooms send at once (docs/protocols/yjs.md#broadcast-batching-20-ms),
// where storing before broadcasting costs the most. One writer and one
// watcher, raw `ws` clients in this process (no provider, no Y.Doc on the
// watcher: the clients add as little as possible), one room; the writer sends
// one small update every 50 ms, well past the 20 ms merge window, and the
// time from its send to the watcher's receipt is taken with performance.now().
// Then, in this process, what that path now waits for: one commit of one small
// update (SqliteYjsStore.append) at each DbSynchronous, a millisecond apart.
// No assertions. `npm run bench -- --only 'yjs first update'`.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { decodeFrame, encodeSyncStep1, encodeUpdate } from '../server/protocols/yjs/codec';
import { SqliteYjsStore } from '../server/store/sqlite-yjs-store';
import { markdownTable } from './markdown';
import { loadNote, tempDir } from './processes';
import { endpointUrls, startServer, stopServer } from './servers';
import type { ServerName } from './servers';

const SERVERS: readonly ServerName[] = ['y-websocket-server', 'lanboard-memory', 'lanboard-sqlite'];
const GAP_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Synced as a client would be: answer the server's SyncStep1, ask for its state.
  ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
  return ws;
}

/** Milliseconds from send to receipt for `samples` updates, each after a quiet spell. */
async function measureServer(name: ServerName, samples: number): Promise<number[]> {
  const server = await startServer(name);
  try {
    const url = `${endpointUrls(server, 'yjs-fan-out')[0]!}/first-update`;
    const writer = await open(url);
    const watcher = await open(url);
    await sleep(500); // the handshakes are over
    const doc = new Y.Doc();
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      let update: Uint8Array | undefined;
      doc.once('update', (u: Uint8Array) => (update = u));
      doc.getArray('a').push([i]);
      const arrived = new Promise<number>((resolve) => {
        const onMessage = (data: Buffer) => {
          if (!decodeFrame(data).some((m) => m.type === 'update')) return;
          watcher.off('message', onMessage);
          resolve(performance.now());
        };
        watcher.on('message', onMessage);
      });
      const sentAt = performance.now();
      writer.send(encodeUpdate(update!));
      times.push((await arrived) - sentAt);
      await sleep(GAP_MS);
    }
    writer.close();
    watcher.close();
    doc.destroy();
    return times;
  } finally {
    await stopServer(server);
  }
}

/** Milliseconds each of `samples` single-update commits took, a millisecond apart. */
async function measureCommits(synchronous: 'normal' | 'full', samples: number): Promise<number[]> {
  const store = new SqliteYjsStore(path.join(tempDir(), 'commits.db'), { synchronous });
  const update = encodeUpdate(new Uint8Array(40)); // the size of a small edit
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      await store.append('room', [update]);
      times.push(performance.now() - start);
      await sleep(1);
    }
  } finally {
    await store.close();
  }
  return times;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export async function firstUpdateReport({ quick = false } = {}): Promise<string> {
  const samples = quick ? 30 : 600;
  const rows: string[][] = [];
  for (const name of SERVERS) {
    process.stderr.write(`bench: yjs first update on ${name} (${samples} updates)… `);
    const sorted = (await measureServer(name, samples)).sort((a, b) => a - b);
    const [p50, p99, max] = [percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1)!];
    process.stderr.write(`p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms\n`);
    rows.push([name, String(samples), p50.toFixed(2), p99.toFixed(2), max.toFixed(2)]);
  }
  const commits: string[][] = [];
  for (const synchronous of ['normal', 'full'] as const) {
    const sorted = (await measureCommits(synchronous, samples * 5)).sort((a, b) => a - b);
    const cells = [50, 99, 99.9].map((p) => percentile(sorted, p).toFixed(3));
    commits.push([synchronous, String(sorted.length), ...cells, sorted.at(-1)!.toFixed(3)]);
  }
  return [
    `Yjs first update after a quiet spell (writer to watcher, ${GAP_MS} ms apart), ${loadNote()}`,
    '',
    markdownTable(['server', 'updates', 'p50 ms', 'p99 ms', 'max ms'], rows),
    '',
    'One commit of one small Yjs update (SqliteYjsStore.append, in process, 1 ms apart)',
    '',
    markdownTable(['DbSynchronous', 'commits', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'], commits),
  ].join('\n');
}
