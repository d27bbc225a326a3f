// MaxFiles: parsing the open-file limits, deciding when to warn, and the
// warning a real hub logs at start when MaxFiles is above the soft limit.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { captureLog } from '../test/captured-log';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import {
  checkOpenFileLimit,
  connectionBudget,
  openFileLimitWarning,
  parseProcLimits,
  parseUlimitOutput,
  readOpenFileLimits,
} from './open-files';

const hubs: TestHub[] = [];
after(() => Promise.all(hubs.map((h) => h.stop())));

const WARN = 40;

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max processes             63704                63704                processes 
Max open files            1024                 524288               files     
Max locked memory         8388608              8388608              bytes     
`;

describe('parsing the limits', () => {
  test('/proc/self/limits: the "Max open files" line, not "Max processes"', () => {
    assert.deepEqual(parseProcLimits(PROC_LIMITS), { soft: 1024, hard: 524288 });
  });

  test('/proc/self/limits with unlimited values', () => {
    const text =
      'Limit  Soft Limit  Hard Limit  Units\nMax open files  unlimited  unlimited  files\n';
    assert.deepEqual(parseProcLimits(text), { soft: Infinity, hard: Infinity });
  });

  test('/proc/self/limits without the line, or with garbage in it', () => {
    assert.equal(parseProcLimits('Limit Soft Hard\nMax processes 10 10 processes\n'), undefined);
    assert.equal(parseProcLimits('Max open files  lots  more  files\n'), undefined);
    assert.equal(parseProcLimits(''), undefined);
  });

  test('`ulimit -Sn; ulimit -Hn` output', () => {
    assert.deepEqual(parseUlimitOutput('256\nunlimited\n'), { soft: 256, hard: Infinity });
    assert.deepEqual(parseUlimitOutput('10240\n10240\n'), { soft: 10240, hard: 10240 });
    assert.equal(parseUlimitOutput('256\n'), undefined, 'both lines are needed');
    assert.equal(parseUlimitOutput('sh: ulimit: bad option\n'), undefined);
  });

  test('this machine: the reading agrees with the shell, and Windows has none', () => {
    assert.equal(readOpenFileLimits('win32'), undefined);
    const limits = readOpenFileLimits();
    if (process.platform === 'win32') return;
    assert.ok(limits, 'the limits are readable on POSIX');
    assert.ok(limits.soft > 0 && limits.soft <= limits.hard, JSON.stringify(limits));
    // Linux reads /proc; the shell fallback (used on macOS) must say the same.
    assert.deepEqual(readOpenFileLimits('darwin'), limits);
  });
});

describe('when to warn', () => {
  test('MaxFiles 0 or within the soft limit: no warning', () => {
    assert.equal(openFileLimitWarning(0, { soft: 1024, hard: 4096 }), undefined);
    assert.equal(openFileLimitWarning(1000, { soft: 1024, hard: 4096 }), undefined);
    assert.equal(openFileLimitWarning(1024, { soft: 1024, hard: 4096 }), undefined);
    assert.equal(openFileLimitWarning(10_000_000, { soft: Infinity, hard: Infinity }), undefined);
  });

  test('above the soft limit but within the hard one: ulimit -n or LimitNOFILE', () => {
    const w = openFileLimitWarning(4000, { soft: 1024, hard: 4096 })!;
    assert.ok(w, 'a warning');
    assert.ok(!w.includes('\n'), 'one line');
    for (const part of [
      'MaxFiles=4000',
      'soft 1024',
      'hard 4096',
      'ulimit -n 4000',
      'LimitNOFILE=4000',
    ]) {
      assert.ok(w.includes(part), `${w} lacks ${part}`);
    }
  });

  test('above the hard limit too: says that root must raise it', () => {
    const w = openFileLimitWarning(100_000, { soft: 1024, hard: 4096 })!;
    for (const part of ['soft 1024', 'hard 4096', 'root', 'LimitNOFILE=100000', 'limits.conf']) {
      assert.ok(w.includes(part), `${w} lacks ${part}`);
    }
  });

  test('an unlimited hard limit is shown as such', () => {
    const w = openFileLimitWarning(5000, { soft: 256, hard: Infinity })!;
    assert.ok(w.includes('hard unlimited'), w);
    assert.ok(w.includes('ulimit -n 5000'), w);
  });

  test('checkOpenFileLimit logs one warning with the limits as fields', () => {
    const { logger, lines: logged } = captureLog('info');
    checkOpenFileLimit(4000, logger, () => ({ soft: 1024, hard: 4096 }));
    const lines = logged();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, WARN);
    assert.equal(lines[0]!.soft, '1024');
    assert.equal(lines[0]!.hard, '4096');
    assert.equal(lines[0]!.maxFiles, 4000);
  });

  test('checkOpenFileLimit: nothing when within the limit, when 0, or without limits', () => {
    const { logger, lines } = captureLog('info');
    let reads = 0;
    checkOpenFileLimit(0, logger, () => (reads++, { soft: 1, hard: 1 }));
    assert.equal(reads, 0, 'MaxFiles=0 does not even read the limits');
    checkOpenFileLimit(100, logger, () => ({ soft: 1024, hard: 4096 }));
    checkOpenFileLimit(100, logger, () => undefined);
    assert.deepEqual(lines(), []);
  });
});

describe('the hub checks MaxFiles at start', () => {
  test('MaxFiles far above the limit: one warning with the soft and hard limits', async (t) => {
    const limits = readOpenFileLimits();
    if (!limits || limits.soft >= 10_000_000) {
      t.skip(`no finite open-file limit below 10,000,000 here: ${JSON.stringify(limits)}`);
      return;
    }
    const { logger, lines: logged } = captureLog('info');
    const hub = await startHub({ MaxFiles: 10_000_000 }, { logger });
    hubs.push(hub);
    const lines = logged();
    const warnings = lines.filter((l) => l.level === WARN && /MaxFiles/.test(l.msg));
    assert.equal(warnings.length, 1, JSON.stringify(lines));
    const w = warnings[0]!;
    assert.equal(w.soft, String(limits.soft));
    assert.equal(w.hard, String(limits.hard));
    assert.ok(w.msg.includes(`soft ${limits.soft}`), w.msg);
    assert.ok(w.msg.includes('LimitNOFILE=10000000'), w.msg);
    assert.ok(w.msg.includes('ulimit -n 10000000'), w.msg);
    assert.ok(
      lines.findIndex((l) => l === w) < lines.findIndex((l) => l.msg === 'hub listening'),
      'logged at start, before listening',
    );
  });

  test('the default MaxFiles=0 logs nothing about it', async () => {
    const { logger, lines: logged } = captureLog('info');
    const hub = await startHub({}, { logger });
    hubs.push(hub);
    const lines = logged();
    assert.ok(lines.some((l) => l.msg === 'hub listening'));
    assert.ok(!lines.some((l) => /MaxFiles|open-file/.test(l.msg)), JSON.stringify(lines));
  });
});

describe('the connection budget (MaxConnections=0)', () => {
  test('the soft limit less a tenth, at least 100, for files and refusals; a set value as it is', () => {
    assert.equal(connectionBudget(0, { soft: 20_000, hard: 20_000 }), 18_000);
    assert.equal(connectionBudget(0, { soft: 1024, hard: 524_288 }), 921);
    assert.equal(connectionBudget(0, { soft: 256, hard: 256 }), 156);
    assert.equal(connectionBudget(0, { soft: Infinity, hard: Infinity }), 16_384);
    assert.equal(connectionBudget(0, undefined), 16_384, 'no limit to read (Windows)');
    assert.equal(connectionBudget(5000, { soft: 1024, hard: 1024 }), 5000);
  });
});
