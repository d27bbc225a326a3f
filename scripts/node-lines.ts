// The supported Node lines and the exact build of each that CI runs, as
// scripts/node-lines.txt pins them for scripts/node-line.sh
// (docs/development.md#node-lines).
import fs from 'node:fs';

export interface NodeLine {
  /** The major version: 24. */
  line: number;
  /** The exact build CI runs: 24.22.3. */
  version: string;
}

/** The lines in the file's order: the primary one (the desktop app's) first. */
export function parseNodeLines(text: string): NodeLine[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [line, version] = l.split(/\s+/);
      if (!line || !version || !/^\d+$/.test(line) || !/^\d+\.\d+\.\d+$/.test(version))
        throw new Error(`node-lines.txt: "${l}" is not "<line> <version>"`);
      return { line: Number(line), version };
    });
}

export function readNodeLines(): NodeLine[] {
  return parseNodeLines(fs.readFileSync(new URL('node-lines.txt', import.meta.url), 'utf8'));
}
