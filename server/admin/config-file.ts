// Rewrites settings in a zwibbler.conf-format file without disturbing anything
// else: comments, blank lines, order, unknown keys and line endings stay as
// they were. Pure text in, text out.
import { SETTING_BY_KEY } from '../config/schema';

/** New raw values by key; '' removes the key (so it takes its default). */
export type ConfigChanges = ReadonlyMap<string, string>;

interface KeyLine {
  index: number;
  /** The canonical key this line sets (an alias resolves to its key). */
  key: string;
}

function keyLines(lines: readonly string[]): KeyLine[] {
  const out: KeyLine[] = [];
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const eq = trimmed.indexOf('=');
    if (eq < 0) return;
    const setting = SETTING_BY_KEY.get(trimmed.slice(0, eq).trim());
    if (setting) out.push({ index, key: setting.key });
  });
  return out;
}

/**
 * The file's text with `changes` applied. A key set on several lines (the last
 * one wins when loading) has its last line rewritten in place, keeping its
 * spelling, indentation and spacing around `=`, and its earlier lines removed.
 * A key not in the file is appended at the end.
 */
export function updateConfigText(text: string, changes: ConfigChanges): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  // A final newline leaves an empty last element: keep it out of the edit and put it back.
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const found = keyLines(lines);
  const drop = new Set<number>();
  const appended: string[] = [];
  for (const [key, value] of changes) {
    const mine = found.filter((l) => l.key === key);
    for (const l of mine.slice(0, -1)) drop.add(l.index);
    const last = mine[mine.length - 1];
    if (value === '') {
      if (last) drop.add(last.index);
    } else if (last) {
      lines[last.index] = replaceValue(lines[last.index]!, value);
    } else {
      appended.push(`${key}=${value}`);
    }
  }
  const kept = lines.filter((_, i) => !drop.has(i));
  kept.push(...appended);
  if (kept.length === 0) return '';
  return kept.join(eol) + (endsWithNewline || appended.length > 0 ? eol : '');
}

/** `  ServerPort = 3000` -> `  ServerPort = 3001`: everything up to the value is kept. */
function replaceValue(line: string, value: string): string {
  const eq = line.indexOf('=');
  const spacing = /^\s*/.exec(line.slice(eq + 1))![0];
  return `${line.slice(0, eq + 1)}${spacing}${value}`;
}
