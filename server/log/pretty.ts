// Log lines for people: `09:41:07 INFO  hub listening  port=3000 tls=false`,
// coloured on a terminal. The JSON line pino wrote is parsed back, so secrets
// are already redacted; a line that is not JSON passes through unchanged.
import { Writable } from 'node:stream';

const LEVELS: Record<number, [label: string, colour: string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '36'],
  30: ['INFO ', '32'],
  40: ['WARN ', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};
/** pino's own fields, shown in the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);

const paint = (on: boolean, code: string, text: string) =>
  on ? `\u001b[${code}m${text}\u001b[0m` : text;

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'message' in value) {
    return JSON.stringify((value as { message: unknown }).message); // an error: its message
  }
  return JSON.stringify(value) ?? String(value);
}

/** One JSON log line as a readable one; `colour` adds ANSI colours. */
export function prettyLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  if (entry === null || typeof entry !== 'object') return json;
  const time = typeof entry.time === 'number' ? new Date(entry.time) : new Date();
  const clock = [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  const [label, code] = LEVELS[Number(entry.level)] ?? [String(entry.level), '0'];
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${paint(colour, '90', `${key}=`)}${fieldValue(value)}`);
  const head = `${paint(colour, '90', clock)} ${paint(colour, code, label)} ${String(entry.msg ?? '')}`;
  return fields.length > 0 ? `${head}  ${fields.join(' ')}` : head;
}

/** A stream that takes pino's JSON lines and writes readable ones to `out`. */
export function prettyStream(out: NodeJS.WritableStream, colour: boolean): Writable {
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      const text = lines
        .filter((l) => l !== '')
        .map((l) => `${prettyLine(l, colour)}\n`)
        .join('');
      if (text === '' || out.write(text)) done();
      else out.once('drain', () => done());
    },
  });
}
