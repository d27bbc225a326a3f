// Renders the config table for README.md from the schema, so the two never
// disagree (config/docs.test.ts checks that README holds the current table).
// `npm run docs:config -- --write` puts it in README.md; without it, prints it.
import fs from 'node:fs';
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

/** The README section that holds the table. */
export const CONFIG_SECTION = '### Configuration';

/**
 * README with the table in its section replaced by the current one (Prettier
 * pads it afterwards). The search starts at the section's heading, so no other
 * table that starts with a Key column is ever overwritten.
 */
export function withConfigTable(readme: string): string {
  const section = readme.indexOf(`\n${CONFIG_SECTION}\n`);
  if (section < 0) throw new Error(`README.md has no "${CONFIG_SECTION}" section`);
  const start = readme.indexOf('\n| Key ', section) + 1;
  const nextSection = readme.indexOf('\n#', section + 1);
  if (start === 0 || (nextSection >= 0 && start > nextSection)) {
    throw new Error(`no table under "${CONFIG_SECTION}" in README.md`);
  }
  const end = readme.indexOf('\n\n', start);
  return (
    readme.slice(0, start) + configTableMarkdown() + readme.slice(end < 0 ? readme.length : end)
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  if (process.argv.includes('--write')) {
    const file = new URL('../../README.md', import.meta.url);
    fs.writeFileSync(file, withConfigTable(fs.readFileSync(file, 'utf8')));
  } else {
    process.stdout.write(configTableMarkdown() + '\n');
  }
}
