import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { CONFIG_PAGE, CONFIG_SECTION, configTableMarkdown, withConfigTable } from './docs';
import { SETTINGS } from './schema';

/** Prettier pads table cells; compare the cells, not the padding. */
const cells = (markdown: string): string =>
  markdown
    .split('\n')
    .map((line) => line.replace(/\s*\|\s*/g, '|').replace(/\|-+(?=\|)/g, '|-'))
    .join('\n');

const page = () => fs.readFileSync(CONFIG_PAGE, 'utf8');

test('docs/configuration.md holds the config table generated from the schema, once, in its section', () => {
  const text = cells(page());
  const table = cells(configTableMarkdown());
  const section = text.slice(text.indexOf(`\n${CONFIG_SECTION}\n`));
  assert.ok(
    section.slice(0, section.indexOf('\n#', 1)).includes(table),
    'docs/configuration.md is out of date: run `npm run docs:config -- --write`, then Prettier',
  );
  assert.equal(text.split(table).length, 2, 'the config table appears once');
});

test('writing the table replaces the one in its section and leaves other Key tables alone', () => {
  const other = '| Key | Value |\n|---|---|\n| `id` | hub id |';
  const before = `# T\n\n${other}\n\n${CONFIG_SECTION}\n\nText.\n\n| Key | Old |\n|---|---|\n\nAfter.\n`;
  const after = withConfigTable(before);
  assert.ok(after.includes(other));
  assert.ok(after.includes(`Text.\n\n${configTableMarkdown()}\n\nAfter.`));
  assert.ok(!after.includes('| Key | Old |'));
  assert.throws(() => withConfigTable(other), /no "## Settings" section/);
});

test('every setting says what it does (the table shows it)', () => {
  for (const s of SETTINGS) {
    assert.match(s.doc, /\w+ \w+ \w+/, `${s.key} has no documentation line`);
  }
});
