// Renders the config table for README.md from the schema, so the two never
// disagree (config/docs.test.ts checks that README holds the current table).
import { envName, SETTINGS } from './schema';
import { formatBytes } from './values';

const SIZE_KEYS = new Set(['MaxMessageBytes', 'MaxDocumentBytes', 'MaxQueuedBytes']);

function defaultText(s: (typeof SETTINGS)[number]): string {
  if (s.defaultText) return s.defaultText;
  const d = s.default;
  if (typeof d === 'number' && SIZE_KEYS.has(s.key)) return `\`${formatBytes(d)}\``;
  if (typeof d === 'boolean') return d ? '`1`' : '`0`';
  if (d === '') return '(empty)';
  return `\`${String(d)}\``;
}

export function configTableMarkdown(): string {
  const rows = SETTINGS.map((s) => {
    const key = s.aliases
      ? `\`${s.key}\` (or ${s.aliases.map((a) => `\`${a}\``).join(', ')})`
      : `\`${s.key}\``;
    return `| ${key} | \`${envName(s.key)}\` | ${defaultText(s)} | ${s.doc} |`;
  });
  return ['| Key | Environment | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  process.stdout.write(configTableMarkdown() + '\n');
}
