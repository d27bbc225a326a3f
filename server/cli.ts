// The headless host: `lanboard serve …`, and `lanboard import <zwibbler.db>`
// to bring over a zwibserve database. Errors the user can fix print one line
// and exit non-zero (2 for bad config or usage, 1 when the hub cannot start).
import fs from 'node:fs';
import path from 'node:path';
import { HubSupervisor } from './host/supervisor';
import { importArgs, serveSources, UsageError } from './config/flags';
import { ConfigError, loadConfig } from './config/load';
import { hubVersion } from './config/version';
import { openStore } from './store/open-store';
import {
  ImportError,
  importZwibserveDatabase,
  inspectZwibserveDatabase,
} from './store/zwibserve-import';
import type { SkippedItem } from './store/zwibserve-import';
import { ListenError } from './transport/http-server';
import { loadtestCommand } from './loadtest/command';
import { discoverCommand } from './discovery/command';

const USAGE = `Usage:
  lanboard serve [--config <file>] [--host <addr>] [--port <n>]
                 [--db <sqlite-file>|memory] [--data-dir <dir>]
                 [--log-level <level>] [--no-mdns] [--admin-token <token>]
  lanboard import <zwibbler.db> [--config <file>] [--db <sqlite-file>]
                  [--data-dir <dir>] [--verbose]
  lanboard loadtest --test <ws-url> --docid <id> --teachers <n> --students <n>
                    [--delay <ms>] [--length <bytes>] [--duration <s>]
                    [--json] [--verbose]
  lanboard discover [--timeout <s>] [--json] [--interface <addr>]
  lanboard --help | --version

Settings come from defaults < the config file (zwibbler.conf format) <
LANBOARD_* environment variables < flags. Without --config, <data-dir>/lanboard.conf
is read when it exists. Every key is in docs/configuration.md of the source.

import copies the documents, keys and unexpired tokens of a zwibserve SQLite
database into the database \`serve\` would use with the same flags. Nothing
already there is overwritten; it is safe while a hub runs on that file.

loadtest simulates teachers who draw and students who watch one document, and
reports screen-to-screen times until --duration or Ctrl-C (docs/loadtest.md).

discover lists the hubs that answer over mDNS on the LAN within --timeout
seconds (default 3): name, addresses, port, protocols and TLS.`;

async function serve(args: string[]): Promise<void> {
  // The supervisor restarts the hub when the dashboard applies a new config.
  const supervisor = new HubSupervisor({
    sources: serveSources(args, process.env),
    onStart(started, loaded) {
      for (const w of loaded.warnings) process.stderr.write(`lanboard: warning: ${w}\n`);
      // As Jupyter does: the URL with its token, on the terminal only, never in a log.
      if (process.stdout.isTTY) {
        process.stdout.write(`\n  Dashboard: ${started.dashboardUrl()}\n\n`);
      }
    },
    onFatal(err) {
      process.stderr.write(`lanboard: the hub could not restart: ${err.message}\n`);
      process.exit(1);
    },
  });
  const hub = await supervisor.start();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`lanboard: ${signal}, stopping\n`);
    supervisor.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const join = await hub.joinInfo();
  for (const url of [...join.urls, join.localUrl])
    process.stderr.write(`lanboard: join at ${url}\n`);
}

/** `lanboard import`: one summary line on stdout, the skipped items with --verbose. */
async function runImport(args: string[]): Promise<void> {
  const { source, verbose, sources } = importArgs(args, process.env);
  const loaded = loadConfig(sources);
  for (const w of loaded.warnings) process.stderr.write(`lanboard: warning: ${w}\n`);
  const { config } = loaded;
  if (config.Database === 'memory') {
    const where = { flag: '--db', file: loaded.file, env: 'LANBOARD_DATABASE', default: 'default' };
    throw new ConfigError(
      `cannot import into Database=memory (from ${where[loaded.origins.Database]}): it is lost at exit; give --db <sqlite-file>`,
    );
  }
  const target = path.resolve(config.DbFile);
  if (sameFile(source, target)) {
    throw new ConfigError(
      `${source} is the zwibserve database itself: import it into another file`,
    );
  }
  // Check the source before the target file (and its folder) is created.
  inspectZwibserveDatabase(source);
  // SQLite locks each write (busy_timeout 5 s), so a hub may be running on the target.
  const store = openStore(config);
  let report;
  try {
    report = await importZwibserveDatabase(source, store);
  } finally {
    await store.close();
  }
  for (const note of report.notes) process.stderr.write(`lanboard: note: ${note}\n`);
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  let line =
    `lanboard: imported ${count(report.documents, 'document')}, ${count(report.keys, 'key')}, ` +
    `${count(report.tokens, 'token')} from ${source} into ${target}`;
  const skipped = report.skipped.length;
  if (skipped > 0) line += `; skipped ${skipped}${verbose ? ':' : ' (run with --verbose to list)'}`;
  process.stdout.write(`${line}\n`);
  if (verbose) for (const item of report.skipped) process.stdout.write(`  ${describe(item)}\n`);
}

function describe(item: SkippedItem): string {
  switch (item.kind) {
    case 'document':
      return `document ${JSON.stringify(item.id)}: ${item.reason}`;
    case 'key':
      return `key ${JSON.stringify(item.name)} of document ${JSON.stringify(item.id)}: ${item.reason}`;
    case 'token':
      // A token ID is a credential: show only enough to recognise it.
      return `token ${item.id.length > 8 ? `${item.id.slice(0, 4)}…` : '…'}: ${item.reason}`;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return a === b;
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'import':
      return runImport(rest);
    case 'loadtest':
      return loadtestCommand(rest);
    case 'discover':
      return discoverCommand(rest);
    case '--version':
    case '-v':
      process.stdout.write(`${hubVersion()}\n`);
      return;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (err instanceof UsageError) {
    process.stderr.write(`lanboard: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof ConfigError || err instanceof ImportError) {
    process.stderr.write(`lanboard: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof ListenError) {
    process.stderr.write(`lanboard: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`lanboard: unexpected error: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
