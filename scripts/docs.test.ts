// The docs hold together: every relative link and anchor in README.md and
// docs/ resolves, and no code or test cites a document, or a `§` section of
// one, that is not in the repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  anchorsOf,
  brokenCitations,
  brokenLinks,
  codeFiles,
  markdownFiles,
  slug,
} from './docs-links';
import type { Problem } from './docs-links';
import { PAGES, VIEWPORTS } from './docs-screenshots';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** This test and its helper describe the rules, so they hold examples of what they refuse. */
const RULES = new Set(['scripts/docs.test.ts', 'scripts/docs-links.ts']);
const report = (problems: Problem[]) =>
  problems.map((p) => `${path.relative(ROOT, p.file)}:${p.line}: ${p.message}`).join('\n');

describe('the repository', () => {
  test('every relative link and anchor in README.md and docs/ resolves', () => {
    const problems = markdownFiles(ROOT).flatMap((f) => brokenLinks(ROOT, f));
    assert.equal(problems.length, 0, report(problems));
  });

  test('no code or test cites a document or section that is not in docs/', () => {
    const problems = codeFiles(ROOT)
      .filter((f) => !RULES.has(path.relative(ROOT, f)))
      .flatMap((f) => brokenCitations(ROOT, f));
    assert.equal(problems.length, 0, report(problems));
  });

  test('README.md is the front door: at most 200 lines', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length;
    assert.ok(lines <= 200, `README.md has ${lines} lines`);
  });

  test('every image the docs embed is one npm run docs:screenshots writes', () => {
    const embedded = markdownFiles(ROOT).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) =>
        path.relative(ROOT, path.resolve(path.dirname(f), m[1]!)),
      ),
    );
    assert.ok(embedded.length > 0);
    const written = new Set(
      PAGES.flatMap((page) => Object.keys(VIEWPORTS).map((w) => `docs/images/${page}-${w}.png`)),
    );
    for (const image of embedded) assert.ok(written.has(image), `${image} is not a screenshot`);
  });
});

describe('the checks themselves', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanboard-docs-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  test('anchors are GitHub slugs, duplicates numbered', () => {
    assert.equal(
      slug('Continuation chunks and the 1 MiB cap'),
      'continuation-chunks-and-the-1-mib-cap',
    );
    assert.equal(slug('`POST <base>/access`'), 'post-baseaccess');
    assert.equal(
      slug('Where Lanboard differs from zwibserve'),
      'where-lanboard-differs-from-zwibserve',
    );
    assert.deepEqual(
      [...anchorsOf('# A\n\n## B c\n\n```\n# not a heading\n```\n\n## B c\n')],
      ['a', 'b-c', 'b-c-1'],
    );
  });

  test('a missing file, a missing anchor and a link out of the tree are reported; good ones are not', () => {
    write('docs/other.md', '# Other\n\n## Right here\n');
    const page = write(
      'docs/page.md',
      [
        '# Page',
        '[ok](other.md#right-here) [self](#page) [web](https://example.com/x.md)',
        '[gone](missing.md) [no anchor](other.md#nowhere) [out](../../etc/passwd)',
        '`[in code](nowhere.md)`',
        '```',
        '[in a fence](nowhere.md)',
        '```',
      ].join('\n'),
    );
    const messages = brokenLinks(dir, page).map((p) => p.message);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.match(messages[0]!, /missing\.md: no such file/);
    assert.match(messages[1]!, /has no heading with anchor #nowhere/);
    assert.match(messages[2]!, /outside the repository/);
  });

  test('a "§" citation, a document not in the tree and a bad anchor in code are reported', () => {
    write('docs/other.md', '# Other\n\n## Right here\n');
    const sign = String.fromCharCode(0xa7);
    const code = write(
      'server/x.ts',
      [
        `// as the reference does (${sign}16.15)`,
        '// see DESIGN' + '.md rule 3',
        '// see docs/other.md#nowhere',
        `// fine: docs/other.md#right-here, and RFC 6455 ${sign}5.5`,
      ].join('\n'),
    );
    const problems = brokenCitations(dir, code);
    assert.deepEqual(
      problems.map((p) => p.line),
      [1, 2, 3],
      report(problems),
    );
  });
});
