// Readable log lines on a terminal, JSON anywhere else, and the choice in LogFormat.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, LogRing } from './logger';
import { prettyLine } from './pretty';

const ESC = String.fromCharCode(27);
const stripColours = (text: string) =>
  text
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, '')))
    .join('');

const at = new Date(2026, 11, 7, 9, 41, 7).getTime();
const line = (o: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', name: 'lanboard', ...o });

test('a JSON line becomes time, level, message and fields', () => {
  assert.equal(
    prettyLine(line({ msg: 'hub listening', port: 3000, tls: false, database: 'sqlite' }), false),
    '09:41:07 INFO  hub listening  port=3000 tls=false database=sqlite',
  );
  assert.equal(
    prettyLine(
      line({ level: 40, msg: 'slow', file: '/var/lib/a b', err: { message: 'x y' } }),
      false,
    ),
    '09:41:07 WARN  slow  file="/var/lib/a b" err="x y"',
  );
  assert.equal(prettyLine('not json at all', false), 'not json at all');
});

test('colours only when asked', () => {
  assert.ok(prettyLine(line({ level: 50, msg: 'boom' }), true).includes(`${ESC}[31mERROR`));
  assert.ok(!prettyLine(line({ msg: 'calm' }), false).includes(ESC));
});

/** What a logger with `format` writes to a destination that is, or is not, a terminal. */
async function written(format: 'auto' | 'pretty' | 'json', terminal: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY: terminal });
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const ring = new LogRing();
  const log = createLogger({ level: 'info', format, destination: out, ring });
  log.info({ token: 'secret-value', room: 'r1' }, 'student joined');
  await new Promise((r) => setTimeout(r, 50));
  return { text, ring: ring.recent() };
}

test('auto: readable on a terminal, JSON when not; the ring keeps JSON; secrets stay redacted', async () => {
  const tty = await written('auto', true);
  const plain = stripColours(tty.text);
  assert.equal(plain.slice(9), 'INFO  student joined  token=[redacted] room=r1\n');
  assert.match(plain, /^\d\d:\d\d:\d\d /);
  assert.notEqual(plain, tty.text, 'a terminal gets colours');
  assert.doesNotMatch(tty.text, /secret-value/);
  assert.equal(JSON.parse(tty.ring[0]!).msg, 'student joined');

  const pipe = await written('auto', false);
  assert.equal(JSON.parse(pipe.text).msg, 'student joined');
  assert.equal(JSON.parse(pipe.text).token, '[redacted]');
});

test('json and pretty override the terminal check', async () => {
  assert.equal(JSON.parse((await written('json', true)).text).room, 'r1');
  assert.equal(
    (await written('pretty', false)).text.slice(9),
    'INFO  student joined  token=[redacted] room=r1\n',
  );
});
