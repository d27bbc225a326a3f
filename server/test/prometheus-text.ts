// A strict reader of the Prometheus text exposition format (version 0.0.4),
// for tests: every line must be a HELP, a TYPE, or a sample of a declared
// metric with a valid name, labels and value. It throws on anything else.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (\\S+)(?: -?\\d+)?$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', ''];

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, i) => {
    const fail = (why: string) => {
      throw new Error(`line ${i + 1} ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      if (!new RegExp(`^# HELP ${NAME} .*$`).test(line)) fail('is a bad HELP');
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!name || !new RegExp(`^${NAME}$`).test(name) || !TYPES.has(type ?? '')) {
        fail('is a bad TYPE');
      }
      types.set(name!, type!);
      return;
    }
    if (line.startsWith('#')) return;
    const m = SAMPLE.exec(line);
    if (!m) return fail('is not a sample');
    const name = m[1]!;
    const family = SUFFIXES.map((s) =>
      name.endsWith(s) ? name.slice(0, name.length - s.length) : '',
    )
      .filter(Boolean)
      .find((f) => types.has(f));
    if (!types.has(name) && !family) fail('has no TYPE');
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(new RegExp(LABEL, 'g'))) labels[l[1]!] = l[2]!;
    const raw = m[m.length - 1] === undefined ? m[5]! : m[5]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') fail('has a bad value');
    samples.push({ name, labels, value });
  });
  return { types, samples };
}
