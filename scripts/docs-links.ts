// What the docs test checks: the links of README.md and docs/, and the
// documents code and tests cite. Headings are matched by their GitHub anchor.
import fs from 'node:fs';
import path from 'node:path';

export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** The anchor GitHub gives a heading: lowercase, only letters, digits, spaces, `-` and `_`, spaces to `-`. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/(^|\s)[*_]{1,2}([^*_]+)[*_]{1,2}(?=\s|$)/g, '$1$2') // emphasis
    .replace(/`/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) out.push([i + 1, line]);
  });
  return out;
}

/** Every anchor a Markdown file offers, duplicates numbered as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, line] of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(file: string): Set<string> {
  let anchors = anchorCache.get(file);
  if (!anchors) anchorCache.set(file, (anchors = anchorsOf(fs.readFileSync(file, 'utf8'))));
  return anchors;
}

/** Whether `target` (relative to `from`'s folder, maybe with `#anchor`) exists. */
export function checkTarget(root: string, from: string, target: string): string | undefined {
  const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? from : path.resolve(path.dirname(from), decodeURI(pathPart));
  if (
    !path
      .relative(root, file)
      .split(path.sep)
      .every((p) => p !== '..')
  ) {
    return `${target} points outside the repository`;
  }
  if (!fs.existsSync(file)) return `${target}: no such file`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!file.endsWith('.md')) return `${target}: an anchor into a file that is not Markdown`;
  return anchorsOfFile(file).has(anchor)
    ? undefined
    : `${target}: ${path.relative(root, file)} has no heading with anchor #${anchor}`;
}

/** Relative links and images of a Markdown file that do not resolve. */
export function brokenLinks(root: string, file: string): Problem[] {
  const problems: Problem[] = [];
  for (const [line, text] of proseLines(fs.readFileSync(file, 'utf8'))) {
    const prose = text.replace(/`[^`]*`/g, ''); // code spans are not links
    const targets = [
      ...[...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!),
      ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g)].map((m) => m[1]!),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, mailto: …
      const problem = checkTarget(root, file, target);
      if (problem) problems.push({ file, line, message: problem });
    }
  }
  return problems;
}

/** A citation in code: `docs/….md#anchor`, or any other `*.md` name. */
const DOC_MENTION = /(?<![\w/.-])((?:[\w.-]+\/)*[\w.-]+\.md)(?![\w-])(#[\w-]+)?/g;
/** `§` is allowed only in a citation of an RFC (`RFC 6455 §5.5`): those are public standards. */
const SECTION_SIGN = /§/g;

/**
 * Citations in source and test files that lead nowhere in the repository: a
 * `§` section of a document that is not here, a Markdown file that does not
 * exist (paths are from the repository's root), or an anchor it lacks.
 */
export function brokenCitations(root: string, file: string): Problem[] {
  const problems: Problem[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const line = i + 1;
      for (const m of text.matchAll(SECTION_SIGN)) {
        if (!/RFC \d+ $/.test(text.slice(0, m.index))) {
          problems.push({
            file,
            line,
            message: 'cites a "§" section: cite a heading of a file in docs/ instead',
          });
        }
      }
      for (const m of text.matchAll(DOC_MENTION)) {
        const [, name, anchor = ''] = m as unknown as [string, string, string | undefined];
        // `../../docs/x.md` in code is a path from the file; anything else is from the root.
        const target = name.startsWith('.')
          ? path.resolve(path.dirname(file), name)
          : path.join(root, name);
        const problem = fs.existsSync(target)
          ? checkTarget(root, file, path.relative(path.dirname(file), target) + anchor)
          : `cites ${name}, which is not in the repository (cite a file in docs/ by its path from the root)`;
        if (problem) problems.push({ file, line, message: problem });
      }
    });
  return problems;
}

export function markdownFiles(root: string): string[] {
  const docs = path.join(root, 'docs');
  return [
    path.join(root, 'README.md'),
    ...fs
      .readdirSync(docs, { recursive: true })
      .map((f) => path.join(docs, String(f)))
      .filter((f) => f.endsWith('.md')),
  ];
}

/** Source and test files of the folders that hold code, and the top-level config. */
export function codeFiles(root: string): string[] {
  const folders = ['server', 'app', 'renderer', 'scripts', 'bench', 'bin', 'build', '.ci'];
  const files: string[] = [path.join(root, 'eslint.config.js')];
  for (const folder of folders) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir, { recursive: true })) {
      const file = path.join(dir, String(f));
      if (/(^|\/)(node_modules|dist)\//.test(path.relative(root, file))) continue;
      if (/\.(ts|tsx|js|mjs|cjs|yml|service|nsh|plist)$|\/run$/.test(file)) files.push(file);
    }
  }
  return files.filter((f) => fs.statSync(f).isFile());
}
