// Renders the config table of docs/configuration.md from the schema, so the two
// never disagree (config/docs.test.ts checks that the page holds the current
// table). `npm run docs:config -- --write` puts it there; without it, prints it.
import fs from 'node:fs';
import { envName, SETTINGS } from './schema';
import { formatBytes } from './values';

const SIZE_KEYS = new Set([
  'MaxMessageBytes',
  'MaxDocumentBytes',
  'MaxLiveDocumentBytes',
  'MaxQueuedBytes',
  'InboundBurstBytes',
  'InboundBytesPerSecond',
  'InboundAddressBurstBytes',
  'InboundAddressBytesPerSecond',
  'YjsMaxUpdateBytes',
  'YjsMaxRoomBytes',
  'YjsMaxLiveBytes',
  'MaxKeyBytes',
  'MaxDocumentKeyBytes',
  'RtcResumeBytesPerPeer',
  'RtcResumeBytes',
  'YjsCallbackMaxQueuedBytes',
]);

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

/** The page, and its section, that hold the table. */
export const CONFIG_PAGE = new URL('../../docs/configuration.md', import.meta.url);
export const CONFIG_SECTION = '## Settings';

/**
 * The page with the table in its section replaced by the current one (Prettier
 * pads it afterwards). The search starts at the section's heading, so no other
 * table that starts with a Key column is ever overwritten.
 */
export function withConfigTable(page: string): string {
  const section = page.indexOf(`\n${CONFIG_SECTION}\n`);
  if (section < 0) throw new Error(`the page has no "${CONFIG_SECTION}" section`);
  const start = page.indexOf('\n| Key ', section) + 1;
  const nextSection = page.indexOf('\n#', section + 1);
  if (start === 0 || (nextSection >= 0 && start > nextSection)) {
    throw new Error(`no table under "${CONFIG_SECTION}"`);
  }
  const end = page.indexOf('\n\n', start);
  return page.slice(0, start) + configTableMarkdown() + page.slice(end < 0 ? page.length : end);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  if (process.argv.includes('--write')) {
    fs.writeFileSync(CONFIG_PAGE, withConfigTable(fs.readFileSync(CONFIG_PAGE, 'utf8')));
  } else {
    process.stdout.write(configTableMarkdown() + '\n');
  }
}
