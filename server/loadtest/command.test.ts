// `lanboard loadtest` as a child process against a real hub: the --json shape
// documented in docs/loadtest.md, and a clean stop at --duration and on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, cleanEnv, killAllHubs, ROOT, runCli } from '../test/child-hub';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';

let t: TestHub;
let url: string;
const children: ReturnType<typeof spawn>[] = [];

before(async () => {
  t = await startHub();
  url = `${t.wsUrl}/socket`;
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await killAllHubs();
  await t.stop();
});

const clients = (docid: string) => [
  'loadtest',
  '--test',
  url,
  '--docid',
  docid,
  '--teachers',
  '2',
  '--students',
  '3',
  '--delay',
  '50',
];

/** Replaces every leaf by its type, so that two objects compare by shape. */
function shapeOf(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(shapeOf);
  if (typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shapeOf(x)]));
  }
  return typeof v;
}

const LATENCY = {
  samples: 'number',
  avg: 'number',
  min: 'number',
  max: 'number',
  p50: 'number',
  p95: 'number',
  p99: 'number',
};

/** The shape docs/loadtest.md#json-summary documents for --json. */
const JSON_SHAPE = {
  target: {
    url: 'string',
    docId: 'string',
    teachers: 'number',
    students: 'number',
    delayMs: 'number',
    length: 'number',
    durationS: 'number',
  },
  stoppedBy: 'string',
  elapsedS: 'number',
  connections: {
    open: 'number',
    joined: 'number',
    target: 'number',
    peak: 'number',
    connects: 'number',
    disconnects: 'number',
    failedDials: 'number',
  },
  docLength: 'number',
  changes: {
    sent: 'number',
    acked: 'number',
    conflicts: 'number',
    resent: 'number',
    unconfirmed: 'number',
    perSecond: 'number',
  },
  delivered: { appends: 'number', perSecond: 'number' },
  statsSinceS: 'number',
  screenToScreenMs: LATENCY,
  errors: { server: 'number', unexpected: 'number', gaps: 'number', behind: 'number' },
  generator: {
    cpuS: 'number',
    cpuPercent: 'number',
    eventLoopDelayMs: { p50: 'number', p99: 'number', max: 'number' },
  },
};

describe('lanboard loadtest', () => {
  test('--json prints one JSON object of the documented shape', async () => {
    // Longer than the 3 s ramp-up, so that there are samples (screenToScreenMs is not null).
    const r = await runCli([...clients('json'), '--duration', '5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `one line on stdout: ${r.stdout}`);
    const summary = JSON.parse(lines[0]!) as Record<string, unknown> & {
      target: { url: string; teachers: number; students: number; durationS: number };
      stoppedBy: string;
      connections: { target: number };
    };
    assert.deepEqual(shapeOf(summary), JSON_SHAPE);
    // Key order is part of what people read, so it is kept too.
    assert.deepEqual(Object.keys(summary), Object.keys(JSON_SHAPE));
    assert.equal(summary.target.url, url);
    assert.equal(summary.target.durationS, 5);
    assert.equal(summary.stoppedBy, 'duration');
    assert.equal(summary.connections.target, 5);
  });

  test('--duration stops it cleanly: exit 0, live lines on stderr, the summary on stdout', async () => {
    const r = await runCli([...clients('duration'), '--duration', '4.5']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Load test of ws:\/\/127\.0\.0\.1:\d+\/socket document "duration"/);
    assert.match(r.stdout, /\nStopped by duration after \d+\.\d s\n/);
    assert.match(r.stdout, /\nChanges: \d+ sent, \d+ acked/);
    assert.match(r.stdout, /\nScreen-to-screen \(\d+ samples\): avg [\d.]+ ms/);
    // Not a terminal: one plain line per second, no carriage returns.
    assert.match(r.stderr, /^1s connections=\d\/5 docLength=\d+ changes\/s=\d+ /m);
    assert.doesNotMatch(r.stderr, /\r/);
  });

  test('Ctrl-C (SIGINT) stops it cleanly with the summary', async () => {
    const child = spawn(process.execPath, [BIN, ...clients('sigint'), '--json'], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('close', (code, signal) => resolve([code, signal])),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no live line: ${stderr}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/connections=5\/5/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [0, null], stderr);
    assert.match(stderr, /SIGINT, stopping/);
    const summary = JSON.parse(stdout) as { stoppedBy: string; target: { durationS: unknown } };
    assert.equal(summary.stoppedBy, 'signal');
    assert.equal(summary.target.durationS, null);
  });

  test('--workers 2 runs the clients in two processes and merges their numbers', async () => {
    const r = await runCli([...clients('workers'), '--duration', '5', '--json', '--workers', '2']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      connections: { peak: number; target: number; disconnects: number };
      docLength: number;
      changes: { acked: number; unconfirmed: number };
      delivered: { appends: number };
      screenToScreenMs: { samples: number };
      errors: Record<string, number>;
      generator: { cpuS: number; cpuPercent: number; workers?: { cpuS: number }[] };
    };
    assert.equal(s.generator.workers?.length, 2);
    for (const w of s.generator.workers!) assert.ok(w.cpuS > 0, 'each worker ran clients');
    assert.equal(s.connections.peak, 5, 'every client of both shares connected once');
    assert.equal(s.connections.disconnects, 0);
    assert.ok(s.changes.acked > 0);
    // The two teachers' changes, 10 bytes each (the default), all in the merged run's document.
    assert.equal(s.docLength, s.changes.acked * 10);
    // Each worker's histogram is added, not averaged: one sample per delivered append.
    assert.ok(s.delivered.appends > 0);
    assert.equal(s.screenToScreenMs.samples, s.delivered.appends);
    assert.deepEqual(s.errors, { server: 0, unexpected: 0, gaps: 0, behind: 0 });
  });

  test('bad flags exit 2 with the usage', async () => {
    const r = await runCli(['loadtest', '--docid', 'd', '--students', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^lanboard: loadtest needs --test <ws-url>\n\nUsage:/);
    assert.match(r.stderr, /lanboard loadtest --test <ws-url>/);
  });
});
