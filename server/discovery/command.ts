// `lanboard discover [--timeout <s>] [--json] [--interface <addr>]`: lists the
// hubs that answer on the LAN within the timeout, as text or one JSON array.
import { parseFlags, UsageError } from '../config/flags';
import { createLogger } from '../log/logger';
import { discoverHubs } from './browse';
import type { FoundHub } from './browse';
import { hubUrl } from './join-info';

export const DISCOVER_USAGE = `Usage: lanboard discover [options]

Lists the Lanboard hubs that answer over mDNS on the LAN: name, address, port,
TLS and protocols.

Options:
  --timeout <s>           how long to listen for answers (default 3)
  --json                  one JSON array on stdout
  --interface <address>   ask through this IPv4 address only
  -h, --help              this text`;

export interface DiscoverArgs {
  timeoutMs: number;
  json: boolean;
  interface: string | undefined;
}

export function discoverArgs(args: string[]): DiscoverArgs {
  const { values } = parseFlags(args, {
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    interface: { type: 'string' },
  });
  const seconds = Number(values.timeout ?? '3');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--timeout takes seconds from 0 to 3600, got "${values.timeout}"`);
  }
  return { timeoutMs: seconds * 1000, json: values.json ?? false, interface: values.interface };
}

export async function discoverCommand(args: string[]): Promise<void> {
  const options = discoverArgs(args);
  // mDNS trouble (no multicast, port taken) is worth a line on stderr, not a crash.
  const log = createLogger({ level: 'warn', destination: process.stderr });
  const hubs = await discoverHubs({
    timeoutMs: options.timeoutMs,
    interface: options.interface,
    log,
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(hubs)}\n`);
    return;
  }
  if (hubs.length === 0) {
    process.stderr.write(`lanboard: no hub answered within ${options.timeoutMs / 1000} s\n`);
    return;
  }
  process.stdout.write(hubs.map(formatHub).join(''));
}

export function formatHub(hub: FoundHub): string {
  const protocols = Object.entries(hub.protocols).map(([name, path]) => `${name} ${path}`);
  return (
    `${hub.name}\n` +
    `  url:       ${hubUrl(hub.addresses[0] ?? hub.host, hub.port, hub.tls)}\n` +
    `  host:      ${hub.host}, port ${hub.port}, TLS ${hub.tls ? 'on' : 'off'}\n` +
    `  addresses: ${hub.addresses.join(', ') || '(none announced)'}\n` +
    `  protocols: ${protocols.join(', ') || '(none announced)'}\n` +
    `  id:        ${hub.id ?? '?'}, version ${hub.version ?? '?'}\n`
  );
}
