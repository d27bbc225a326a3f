import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { configTableMarkdown } from './docs';

/** Prettier pads table cells; compare the cells, not the padding. */
const cells = (markdown: string): string =>
  markdown
    .split('\n')
    .map((line) => line.replace(/\s*\|\s*/g, '|').replace(/\|-+(?=\|)/g, '|-'))
    .join('\n');

test('README.md holds the config table generated from the schema (npm run docs:config)', () => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(
    cells(readme).includes(cells(configTableMarkdown())),
    'README.md is out of date: paste the output of `npm run docs:config` into it',
  );
});
