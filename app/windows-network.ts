// What Windows decides about students reaching the hub, read and changed
// through PowerShell (docs/desktop.md#installing-on-windows-for-all-users-or-only-for-me):
// - the network profile of each connection (Get-NetConnectionProfile): on a
//   "Public" network Windows Firewall blocks incoming connections to
//   Lanboard, by our rule's design, whatever else is allowed;
// - the inbound rules for Lanboard's executable, in the active store (so a
//   rule IT pushed by policy counts): allowed, blocked (a Block rule wins,
//   such as the one Windows adds when its own prompt is dismissed), or none;
// - adding our rule (Private and Domain, never Public) after removing the
//   program's other rules, which needs an administrator: one UAC prompt.
// The hub's self-test cannot see any of this: it connects from this
// computer, which the firewall does not filter.
import type { CommandRunner } from './commands';
import type { FirewallChange, NetworkStatus } from './ipc-contract';

export type NetworkCategory = 'Public' | 'Private' | 'DomainAuthenticated';

export interface NetworkProfile {
  name: string;
  interfaceAlias: string;
  category: NetworkCategory;
}

export interface FirewallRule {
  name: string;
  action: 'Allow' | 'Block';
  /** As Windows prints it: `Any`, or a list such as `Private, Domain`. */
  profile: string;
}

export const POWERSHELL = 'powershell.exe';
const PS_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];
export const RULE_NAME = 'Lanboard';

/** PowerShell single-quoted string: only `'` needs doubling. */
export function psQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** -EncodedCommand's form: base64 of the UTF-16LE script, so no quoting reaches a command line. */
export function encodeCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

// Enums cast to [string]: ConvertTo-Json in Windows PowerShell 5.1 writes them as numbers.
export const PROFILES_SCRIPT =
  "Get-NetConnectionProfile | Select-Object Name, InterfaceAlias, @{n='NetworkCategory';e={[string]$_.NetworkCategory}} | ConvertTo-Json -Compress";

export function rulesScript(exe: string): string {
  return [
    `Get-NetFirewallApplicationFilter -PolicyStore ActiveStore -Program ${psQuote(exe)} -ErrorAction SilentlyContinue`,
    "Get-NetFirewallRule -ErrorAction SilentlyContinue | Where-Object { [string]$_.Enabled -eq 'True' -and [string]$_.Direction -eq 'Inbound' }",
    "Select-Object DisplayName, @{n='Action';e={[string]$_.Action}}, @{n='Profile';e={[string]$_.Profile}}",
    'ConvertTo-Json -Compress',
  ].join(' | ');
}

/** Runs elevated: the program's own rules out (a Block left by Windows' prompt too), ours in. */
export function allowScript(exe: string): string {
  return [
    `$exe = ${psQuote(exe)}`,
    'Get-NetFirewallApplicationFilter -PolicyStore PersistentStore -Program $exe -ErrorAction SilentlyContinue | Get-NetFirewallRule | Remove-NetFirewallRule',
    `New-NetFirewallRule -DisplayName ${psQuote(RULE_NAME)} -Direction Inbound -Action Allow -Program $exe -Profile Private,Domain | Out-Null`,
  ].join('\n');
}

/** Starts allowScript through UAC and waits; the outer PowerShell exits with its code. */
export function elevationScript(exe: string): string {
  const inner = [
    '-NoProfile',
    '-NonInteractive',
    '-EncodedCommand',
    encodeCommand(allowScript(exe)),
  ]
    .map(psQuote)
    .join(',');
  return `$p = Start-Process -FilePath ${POWERSHELL} -Verb RunAs -WindowStyle Hidden -Wait -PassThru -ArgumentList ${inner}; exit $p.ExitCode`;
}

/** ConvertTo-Json gives an object for one item, an array for several, nothing for none. */
function jsonList(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const parsed: unknown = JSON.parse(trimmed);
  return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
}

const CATEGORIES: Record<string, NetworkCategory> = {
  '0': 'Public',
  '1': 'Private',
  '2': 'DomainAuthenticated',
  Public: 'Public',
  Private: 'Private',
  DomainAuthenticated: 'DomainAuthenticated',
};

export function parseProfiles(text: string): NetworkProfile[] {
  return jsonList(text).flatMap((p) => {
    const category = CATEGORIES[String(p.NetworkCategory)];
    return category
      ? [{ name: String(p.Name ?? ''), interfaceAlias: String(p.InterfaceAlias ?? ''), category }]
      : [];
  });
}

export function parseRules(text: string): FirewallRule[] {
  return jsonList(text).flatMap((r) =>
    r.Action === 'Allow' || r.Action === 'Block'
      ? [{ name: String(r.DisplayName ?? ''), action: r.Action, profile: String(r.Profile ?? '') }]
      : [],
  );
}

function covers(rule: FirewallRule, category: NetworkCategory): boolean {
  const profiles = rule.profile.split(/\s*,\s*/);
  const name = category === 'DomainAuthenticated' ? 'Domain' : category;
  return profiles.includes('Any') || profiles.includes(name);
}

/**
 * For the networks students would come in on (every connected one that is
 * not Public; Private when there is none): a Block rule wins, then an Allow.
 */
export function firewallVerdict(
  rules: readonly FirewallRule[],
  profiles: readonly NetworkProfile[],
): NetworkStatus['firewall'] {
  const categories = profiles.map((p) => p.category).filter((c) => c !== 'Public');
  const verdicts = (categories.length > 0 ? categories : (['Private'] as const)).map((c) => {
    const relevant = rules.filter((r) => covers(r, c));
    if (relevant.some((r) => r.action === 'Block')) return 'blocked';
    return relevant.some((r) => r.action === 'Allow') ? 'allowed' : 'missing';
  });
  if (verdicts.includes('blocked')) return 'blocked';
  return verdicts.includes('missing') ? 'missing' : 'allowed';
}

async function powershell(run: CommandRunner, script: string, timeoutMs?: number) {
  return run(POWERSHELL, [...PS_ARGS, '-Command', script], { timeoutMs });
}

export async function networkStatus(run: CommandRunner, exe: string): Promise<NetworkStatus> {
  const [profilesOut, rulesOut] = await Promise.all([
    powershell(run, PROFILES_SCRIPT),
    powershell(run, rulesScript(exe)),
  ]);
  let profiles: NetworkProfile[] = [];
  try {
    if (profilesOut.code === 0) profiles = parseProfiles(profilesOut.stdout);
  } catch {
    // Unreadable: no Public warning rather than a wrong one.
  }
  let firewall: NetworkStatus['firewall'] = 'unknown';
  try {
    if (rulesOut.code === 0) firewall = firewallVerdict(parseRules(rulesOut.stdout), profiles);
  } catch {
    firewall = 'unknown';
  }
  return {
    publicNetworks: profiles
      .filter((p) => p.category === 'Public')
      .map((p) => p.name || p.interfaceAlias),
    firewall,
  };
}

/** One UAC prompt; refusing it, or a failure, comes back as a message for the teacher. */
export async function allowThroughFirewall(
  run: CommandRunner,
  exe: string,
): Promise<FirewallChange> {
  // Long enough for a teacher to fetch someone with the administrator's password.
  const result = await powershell(run, elevationScript(exe), 10 * 60_000);
  if (result.code === 0)
    return {
      ok: true,
      message: 'Windows Firewall now lets devices on private networks reach Lanboard.',
    };
  const cancelled = /canceled by the user|cancelled by the user/i.test(result.stderr);
  return {
    ok: false,
    message: cancelled
      ? 'Not changed: the administrator prompt was cancelled.'
      : `Not changed: ${result.stderr.trim().split('\n')[0] || `PowerShell exited with ${result.code}`}`,
  };
}
