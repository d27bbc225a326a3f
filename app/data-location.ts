// Moving a Windows teacher's data from Roaming to Local AppData
// (paths.ts, userDataDir), once, on the first start of a version that keeps it
// in Local. The whole folder moves (a rename, or a copy then a delete when
// Roaming is redirected to another drive or a share), and the settings file's
// paths into the old folder (DataDir, which the first run wrote; a
// certificate kept there) are rewritten to the new one. The installer closes a
// running Lanboard before it upgrades, so nothing holds the database open.
// If the move fails, this start uses the Roaming folder as it is: classes
// are never left behind for an empty new folder.
import fs from 'node:fs';
import path from 'node:path';

export type Migration =
  | { outcome: 'nothing to move' | 'already moved' }
  | { outcome: 'moved'; from: string; to: string }
  | { outcome: 'failed'; from: string; to: string; error: string };

/** Rewrites `key=value` lines whose value lies inside `from` to the same place inside `to`. */
export function rewritePaths(configText: string, from: string, to: string): string {
  const inside = (value: string) => value === from || value.startsWith(from + path.sep);
  return configText.replace(/^(\s*[A-Za-z]\w*\s*=\s*)(.*?)(\s*)$/gm, (line, key, value, tail) =>
    inside(value) ? `${key}${to}${value.slice(from.length)}${tail}` : line,
  );
}

export function migrateUserData(from: string, to: string): Migration {
  const config = (dir: string) => path.join(dir, 'lanboard.conf');
  if (from === to || !fs.existsSync(config(from))) return { outcome: 'nothing to move' };
  if (fs.existsSync(config(to))) return { outcome: 'already moved' };
  try {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    // A folder without settings there (logs of a start that fell back) is set aside, not merged.
    if (fs.existsSync(to)) fs.renameSync(to, `${to}.before-move-${Date.now()}`);
    try {
      fs.renameSync(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // Another drive: copy beside the target, then rename, so that a copy cut
      // short never looks like a finished move on the next start.
      const partial = `${to}.moving`;
      fs.rmSync(partial, { recursive: true, force: true });
      fs.cpSync(from, partial, { recursive: true });
      fs.renameSync(partial, to);
      fs.rmSync(from, { recursive: true, force: true });
    }
    const text = fs.readFileSync(config(to), 'utf8');
    const rewritten = rewritePaths(text, from, to);
    if (rewritten !== text) fs.writeFileSync(config(to), rewritten);
    return { outcome: 'moved', from, to };
  } catch (err) {
    return { outcome: 'failed', from, to, error: (err as Error).message };
  }
}
