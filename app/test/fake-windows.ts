// A command runner that answers the PowerShell scripts of
// app/windows-network.ts as Windows would, from a description of the
// computer's networks and firewall rules, and records every command run.
import type { CommandResult, CommandRunner } from '../commands';
import { PROFILES_SCRIPT } from '../windows-network';

export interface FakeWindows {
  /** As Get-NetConnectionProfile prints them (category as a string or Windows PowerShell's number). */
  profiles: Array<{ Name: string; InterfaceAlias: string; NetworkCategory: string | number }>;
  rules: Array<{ DisplayName: string; Action: string; Profile: string }>;
  /** What the elevated script does: succeed (and add the rule), or fail like a refused UAC prompt. */
  elevation: 'accept' | 'cancel' | 'fail';
  /** A broken PowerShell: every command exits 1. */
  broken?: boolean;
  /** Every command, as [file, ...args]. */
  calls: string[][];
}

export function fakeWindows(init: Partial<FakeWindows> = {}): FakeWindows & { run: CommandRunner } {
  const state: FakeWindows = {
    profiles: [{ Name: 'School', InterfaceAlias: 'Wi-Fi', NetworkCategory: 'Private' }],
    rules: [],
    elevation: 'accept',
    calls: [],
    ...init,
  };
  const json = (items: unknown[]): string =>
    items.length === 0 ? '' : JSON.stringify(items.length === 1 ? items[0] : items);
  const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '' });
  const run: CommandRunner = async (file, args) => {
    state.calls.push([file, ...args]);
    if (state.broken) return { code: 1, stdout: '', stderr: 'powershell broke' };
    const script = args[args.indexOf('-Command') + 1] ?? '';
    if (script === PROFILES_SCRIPT) return ok(json(state.profiles));
    if (script.startsWith('Get-NetFirewallApplicationFilter')) return ok(json(state.rules));
    if (script.includes('-Verb RunAs')) {
      if (state.elevation === 'cancel')
        return {
          code: 1,
          stdout: '',
          stderr:
            'Start-Process : This command cannot be run due to the error: The operation was canceled by the user.',
        };
      if (state.elevation === 'fail') return { code: 1, stdout: '', stderr: 'Access is denied.' };
      state.rules = [{ DisplayName: 'Lanboard', Action: 'Allow', Profile: 'Private, Domain' }];
      return ok('');
    }
    return { code: 1, stdout: '', stderr: `fake windows: unknown script ${script}` };
  };
  return Object.assign(state, { run });
}
