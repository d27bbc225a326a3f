// The hub's id in its TXT record: 8 hex characters kept in `<DataDir>/hub-id`,
// so that a client recognises the hub after a restart and can merge the answers
// a multi-homed hub sends on several interfaces.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger';

export const HUB_ID_FILE = 'hub-id';
const ID = /^[0-9a-f]{8}$/;

export function loadHubId(dataDir: string, log: Logger): string {
  const file = path.join(dataDir, HUB_ID_FILE);
  try {
    const stored = fs.readFileSync(file, 'utf8').trim();
    if (ID.test(stored)) return stored;
  } catch {
    // Not there yet: make one below.
  }
  const id = randomBytes(4).toString('hex');
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${id}\n`);
  } catch (err) {
    log.warn(
      { err: (err as Error).message, file },
      'cannot keep the hub id; it changes at each start',
    );
  }
  return id;
}
