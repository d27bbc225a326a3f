// The data folder and the files in it that hold secrets (the database, with
// tokens and keys in clear; the admin token; the signaling key) are the hub
// user's alone: the folder 0700, the files 0600. Set when they are created,
// and again at every start, so that what an older release left readable is
// fixed (docs/operating.md#where-data-lives). Windows has no such modes:
// there the folder lives in the user's profile, whose ACL keeps others out.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const posix = () => process.platform !== 'win32';

/** Creates the folder (and its missing parents) 0700, and narrows it to 0700 if it is wider. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (posix() && (fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Narrows an existing file to 0600 if others may read it; false if it is missing. */
export function keepPrivate(file: string): boolean {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (posix() && (mode & 0o077) !== 0) fs.chmodSync(file, PRIVATE_FILE_MODE);
  return true;
}

/** Creates an empty file 0600 unless it exists, then narrows it: before a library writes into it. */
export function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  keepPrivate(file);
}

/** At start: the data folder 0700, and those of `secrets` (names in it) that exist 0600. */
export function keepDataDirPrivate(dir: string, secrets: readonly string[]): void {
  makePrivateDir(dir);
  for (const name of secrets) keepPrivate(path.join(dir, name));
}
