// What the app remembers about itself between starts (not settings: those are
// lanboard.conf): whether it already offered the firewall rule, which update
// the teacher chose to skip. A JSON file under userData, replaced atomically.
import fs from 'node:fs';

export interface AppState {
  /** The first-start firewall question was asked (it is asked once). */
  firewallOffered?: boolean;
  /** "Skip this version" on an update offer. */
  skippedVersion?: string;
}

export class StateFile {
  constructor(readonly file: string) {}

  read(): AppState {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as AppState) : {};
    } catch {
      return {};
    }
  }

  update(patch: Partial<AppState>): AppState {
    const next = { ...this.read(), ...patch };
    const temp = `${this.file}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`);
    fs.renameSync(temp, this.file);
    return next;
  }
}
