// The load tester's pure parts: the histogram's statistics, the 32-bit
// timestamps, the change length rules, the flags and the live display.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../config/flags';
import { prng } from '../test/random';
import { formatLine, formatSummary, LiveDisplay } from './display';
import { changeLength, completeOptions, loadtestArgs } from './options';
import { changeInterval } from './random';
import type { Snapshot, Summary } from './report';
import { LatencyHistogram, RateMeter } from './stats';
import { nextLetter } from './teacher';
import { elapsedSince, low32, readStamp, writeStamp } from './timestamp';

/** Nearest-rank percentile over a plain sorted copy: the definition the histogram must match. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('LatencyHistogram', () => {
  test('1..100 ms gives the textbook statistics', () => {
    const h = new LatencyHistogram();
    for (let ms = 100; ms >= 1; ms--) h.record(ms);
    assert.deepEqual(h.stats(), {
      samples: 100,
      avg: 50.5,
      min: 1,
      max: 100,
      p50: 50,
      p95: 95,
      p99: 99,
    });
  });

  test('percentiles equal the nearest rank of the sorted samples, for random data', () => {
    const random = prng(7);
    for (let round = 0; round < 20; round++) {
      const h = new LatencyHistogram();
      const values: number[] = [];
      const n = 1 + Math.floor(random() * 3000);
      for (let i = 0; i < n; i++) {
        // Mostly small, with a long tail, as real latencies are.
        const v = Math.floor(random() ** 4 * 5000);
        values.push(v);
        h.record(v);
      }
      for (const p of [1, 50, 90, 95, 99, 99.9, 100]) {
        assert.equal(h.percentile(p), nearestRank(values, p), `p${p} of ${n} samples`);
      }
      const s = h.stats()!;
      assert.equal(s.samples, n);
      assert.equal(s.min, Math.min(...values));
      assert.equal(s.max, Math.max(...values));
      const mean = values.reduce((a, b) => a + b, 0) / n;
      assert.equal(s.avg, Math.round(mean * 10) / 10);
    }
  });

  test('no samples: no statistics', () => {
    const h = new LatencyHistogram();
    assert.equal(h.stats(), null);
    assert.equal(h.percentile(50), undefined);
  });

  test('samples past the last bucket keep their true max and mean; percentiles there report the max', () => {
    const h = new LatencyHistogram();
    h.record(10);
    h.record(70_000);
    h.record(90_000);
    const s = h.stats()!;
    assert.equal(s.max, 90_000);
    assert.equal(s.avg, Math.round(((10 + 70_000 + 90_000) / 3) * 10) / 10);
    assert.equal(s.p50, 90_000);
    assert.equal(h.percentile(33), 10);
  });

  test('negative samples (a clock stepped back) count as 0 ms; fractions are truncated', () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(2.9);
    assert.deepEqual([h.stats()!.min, h.stats()!.max], [0, 2]);
  });

  test('reset forgets every sample', () => {
    const h = new LatencyHistogram();
    h.record(500);
    h.reset();
    h.record(3);
    assert.deepEqual(h.stats(), { samples: 1, avg: 3, min: 3, max: 3, p50: 3, p95: 3, p99: 3 });
  });
});

describe('RateMeter', () => {
  test('counts per second between readings', () => {
    const r = new RateMeter(1000);
    assert.equal(r.rate(50, 1500), 100);
    assert.equal(r.rate(50, 2500), 0);
    assert.equal(r.rate(350, 4500), 150);
  });
});

// docs/loadtest.md#screen-to-screen-time
describe('timestamps', () => {
  test('the low 32 bits of Unix ms, big-endian, in the first 4 bytes', () => {
    const data = Buffer.alloc(10, 0x41);
    const now = 1_700_000_000_123;
    writeStamp(data, now);
    assert.equal(data.readUInt32BE(0), now % 2 ** 32);
    assert.equal(readStamp(data, 0), low32(now));
    assert.equal(data.subarray(4).toString(), 'AAAAAA');
  });

  test('elapsed time is right across the 32-bit wrap', () => {
    const sent = 2 ** 32 * 396 - 7; // 7 ms before a wrap
    const stamp = low32(sent);
    assert.equal(stamp, 2 ** 32 - 7);
    assert.equal(elapsedSince(stamp, sent + 20), 20);
    assert.equal(elapsedSince(stamp, sent), 0);
    assert.equal(elapsedSince(low32(sent + 5), sent), -5);
  });
});

describe('options', () => {
  test('change length follows the reference: ≤ 0 means 10, 1–7 become 8', () => {
    assert.deepEqual([-3, 0, 1, 7, 8, 200].map(changeLength), [10, 10, 8, 8, 8, 200]);
  });

  test('delay 0 means the default 1000 ms', () => {
    const o = completeOptions({ url: 'ws://x', docId: 'd', teachers: 1, students: 0, delayMs: 0 });
    assert.equal(o.delayMs, 1000);
  });

  test('intervals are normal(delay, delay/2), never negative', () => {
    const random = prng(3);
    const xs = Array.from({ length: 20_000 }, () => changeInterval(random, 100));
    assert.ok(xs.every((x) => x >= 0));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    // Clipping the 2.3% below zero raises the mean a little above 100.
    assert.ok(mean > 98 && mean < 104, `mean ${mean}`);
    const zeros = xs.filter((x) => x === 0).length / xs.length;
    assert.ok(zeros > 0.015 && zeros < 0.032, `share clipped to 0: ${zeros}`);
  });

  test('the letter after Z is A', () => {
    assert.deepEqual(
      [0x41, 0x59, 0x5a, 0x7a, undefined].map(nextLetter),
      [0x42, 0x5a, 0x41, 0x41, 0x41],
    );
  });

  test('flags map onto options', () => {
    const c = loadtestArgs([
      '--test',
      'ws://127.0.0.1:3000/socket',
      '--docid',
      'room',
      '--teachers',
      '2',
      '--students',
      '30',
      '--delay',
      '250',
      '--length',
      '64',
      '--duration',
      '1.5',
      '--json',
    ]);
    assert.deepEqual(c, {
      options: {
        url: 'ws://127.0.0.1:3000/socket',
        docId: 'room',
        teachers: 2,
        students: 30,
        delayMs: 250,
        length: 64,
        durationS: 1.5,
      },
      json: true,
      verbose: false,
    });
  });

  const base = ['--test', 'ws://h/socket', '--docid', 'd'];
  for (const [args, message] of [
    [['--docid', 'd', '--students', '1'], /needs --test/],
    [['--test', 'http://h/socket', '--docid', 'd', '--students', '1'], /ws:\/\/ or wss:\/\//],
    [['--test', 'ws://h/socket', '--students', '1'], /needs --docid/],
    [[...base], /at least one client/],
    [[...base, '--teachers=-1', '--students', '1'], /--teachers must be an integer ≥ 0/],
    [[...base, '--students', 'many'], /--students must be an integer/],
    [[...base, '--students', '1', '--duration', '0'], /--duration must be a number/],
    [[...base, '--students', '1', '--delay', '1.5'], /--delay must be an integer/],
    [[...base, '--students', '1', '--docid', 'x'.repeat(256)], /at most 255 bytes/],
    [[...base, '--students', '1', '--bogus'], /Unknown option/],
  ] as [string[], RegExp][]) {
    test(`usage error: ${args.join(' ').slice(0, 60)}`, () => {
      assert.throws(
        () => loadtestArgs(args),
        (err) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});

const snap: Snapshot = {
  elapsedS: 12.4,
  connections: {
    open: 30,
    joined: 30,
    target: 32,
    peak: 31,
    connects: 33,
    disconnects: 3,
    failedDials: 0,
  },
  docLength: 4410,
  changes: { sent: 441, acked: 441, conflicts: 2, resent: 2, unconfirmed: 0, perSecond: 20 },
  delivered: { appends: 12_000, perSecond: 600 },
  statsSinceS: 0,
  screenToScreenMs: { samples: 12_000, avg: 3.2, min: 1, max: 40, p50: 2, p95: 9, p99: 17 },
  errors: { server: 0, unexpected: 4, gaps: 0 },
};

describe('live display', () => {
  test('the line has connections, docLength, changes/s and screen-to-screen statistics', () => {
    assert.equal(
      formatLine(snap),
      '12s connections=30/32 docLength=4410 changes/s=20 delivered/s=600 ' +
        'screen-to-screen avg=3.2ms min=1ms max=40ms p50=2ms p95=9ms p99=17ms ' +
        'unexpected=4 disconnects=3',
    );
  });

  test('on a terminal one line is rewritten in place; log lines scroll above it', () => {
    const out: string[] = [];
    const d = new LiveDisplay({ write: (t: string) => out.push(t), columns: 60 }, true);
    d.update(snap);
    d.log('hello');
    d.finish();
    assert.equal(out[0], `\r\x1b[2K${formatLine(snap).slice(0, 59)}`);
    assert.equal(out[1], `\r\x1b[2Khello\n${formatLine(snap).slice(0, 59)}`);
    assert.equal(out[2], '\r\x1b[2K');
  });

  test('elsewhere every update is a plain line', () => {
    const out: string[] = [];
    const d = new LiveDisplay({ write: (t: string) => out.push(t) }, false);
    d.update(snap);
    d.update(snap);
    d.finish();
    assert.deepEqual(out, [`${formatLine(snap)}\n`, `${formatLine(snap)}\n`]);
  });

  test('the summary names a saturated load tester', () => {
    const s: Summary = {
      ...snap,
      target: {
        url: 'ws://h/socket',
        docId: 'd',
        teachers: 2,
        students: 30,
        delayMs: 100,
        length: 10,
        durationS: 10,
      },
      stoppedBy: 'duration',
      errors: { ...snap.errors, behind: 0 },
      generator: { cpuS: 12, cpuPercent: 97, eventLoopDelayMs: { p50: 1, p99: 80, max: 120 } },
    };
    assert.match(formatSummary(s), /saturated/);
    const calm = { ...s, generator: { ...s.generator, cpuPercent: 20 } };
    calm.generator.eventLoopDelayMs = { p50: 0, p99: 2, max: 5 };
    assert.doesNotMatch(formatSummary(calm), /saturated/);
    assert.match(formatSummary(calm), /p99 17 ms/);
  });
});

describe('LatencyHistogram.add', () => {
  test("merged histograms give the percentiles of all samples, not an average of each part's", () => {
    const random = prng(7);
    const whole = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    for (let i = 0; i < 3000; i++) {
      // Parts of very different speed: averaging their p99s would be far off.
      const part = i % 3;
      const ms = Math.floor(random() * (part === 0 ? 5 : part === 1 ? 50 : 70_000));
      whole.record(ms);
      parts[part]!.record(ms);
    }
    const merged = new LatencyHistogram();
    for (const p of parts) merged.add(p.state());
    merged.add(new LatencyHistogram().state());
    assert.deepEqual(merged.stats(), whole.stats());
  });
});
