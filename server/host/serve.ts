// `lanboard serve`: the headless hub under the supervisor, stopped gracefully on
// SIGINT or SIGTERM. Every start says on stderr where the dashboard is and
// where its token is kept (never the token: stderr ends up in journald), and
// where students join, or why they cannot.
import { adminTokenOrigin } from '../admin/hub-admin';
import { serveSources } from '../config/flags';
import type { Hub } from '../create-hub';
import type { JoinAddresses } from '../discovery/join-info';
import { HubSupervisor } from './supervisor';

export const SERVE_USAGE = `Usage: lanboard serve [options]

Runs the hub until Ctrl-C or SIGTERM.

Options:
  --config <file>        the settings file (zwibbler.conf format); without it,
                         <data-dir>/lanboard.conf is read when it exists
  --host <address>       listen on this address (ServerBindAddress; default 0.0.0.0,
                         every interface; 127.0.0.1 keeps the hub to this computer)
  --port <n>             the port for everything (ServerPort; default 3000, 0 = any)
  --db <file>|memory     the SQLite file (its folder must exist), or memory
  --data-dir <dir>       the data folder (DataDir), created on the first start
  --log-level <level>    fatal, error, warn, info, debug, trace or silent
  --log-format <format>  auto (readable on a terminal, JSON otherwise), pretty or json
  --no-mdns              do not announce the hub on the LAN (mDNS is on by default)
  --admin-token <token>  the dashboard's token (AdminToken; visible in the process list)
  --start-damaged        start even when the database fails its integrity check
                         (DbStartDamaged; /healthz then answers 503)
  -h, --help             this text

Every setting, and its LANBOARD_* environment variable: docs/configuration.md.`;

export async function serveCommand(args: string[]): Promise<void> {
  // The supervisor restarts the hub when the dashboard applies a new config.
  const supervisor = new HubSupervisor({
    sources: serveSources(args, process.env),
    onStart(started, loaded) {
      for (const w of loaded.warnings) process.stderr.write(`lanboard: warning: ${w}\n`);
      announceDashboard(started);
    },
    onFatal(err) {
      process.stderr.write(`lanboard: the hub could not restart: ${err.message}\n`);
      process.exit(1);
    },
  });
  // Before the start: a signal that arrives while the hub starts still stops it gracefully.
  const starting = supervisor.start();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`lanboard: ${signal}, stopping\n`);
    starting
      .catch(() => undefined)
      .then(() => supervisor.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const hub = await starting;
  if (stopping) return;
  for (const line of joinLines(hub.joinAddresses(), hub.config.ServerBindAddress)) {
    process.stderr.write(`lanboard: ${line}\n`);
  }
}

function announceDashboard(hub: Hub): void {
  const address = new URL(hub.dashboardUrl());
  address.hash = '';
  process.stderr.write(
    `lanboard: dashboard on this computer: ${address.href} ` +
      `(token: ${adminTokenOrigin(hub.config)}; \`lanboard admin-url\` prints the address with it)\n`,
  );
  // As Jupyter does: the address with its token on a terminal only, never in a log.
  if (process.stdout.isTTY) process.stdout.write(`\n  Dashboard: ${hub.dashboardUrl()}\n\n`);
}

/** Where students join, or, for a hub no other device can reach, why they cannot. */
export function joinLines(join: JoinAddresses, bindAddress: string): string[] {
  if (join.loopbackOnly) {
    return [
      `warning: the hub listens on ${bindAddress} only: students' devices cannot reach it ` +
        '(listen on every interface with --host 0.0.0.0, or ServerBindAddress=0.0.0.0)',
    ];
  }
  const urls = join.localUrl ? [...join.urls, join.localUrl] : join.urls;
  return urls.map((url) => `join at ${url}`);
}
