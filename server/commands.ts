// The `lanboard` commands: each with its usage text (`lanboard <command> --help`)
// and what runs it. cli.ts dispatches; the docs and a test read this table.
import { ADMIN_URL_USAGE, adminUrlCommand } from './admin/command';
import { BACKUP_USAGE, backupCommand } from './host/backup';
import { DISCOVER_USAGE, discoverCommand } from './discovery/command';
import { IMPORT_USAGE, importCommand } from './host/import';
import { SERVE_USAGE, serveCommand } from './host/serve';
import { LOADTEST_USAGE, loadtestCommand } from './loadtest/command';

export interface Command {
  /** One line for `lanboard --help`. */
  summary: string;
  usage: string;
  run(args: string[]): Promise<void>;
}

export const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the hub', usage: SERVE_USAGE, run: serveCommand },
  'admin-url': {
    summary: "print the dashboard's address with its token",
    usage: ADMIN_URL_USAGE,
    run: adminUrlCommand,
  },
  import: {
    summary: 'copy a zwibserve SQLite database into the hub’s',
    usage: IMPORT_USAGE,
    run: importCommand,
  },
  backup: {
    summary: "copy the hub's database, safely while it runs",
    usage: BACKUP_USAGE,
    run: backupCommand,
  },
  loadtest: {
    summary: 'simulate teachers and students on a Zwibbler document',
    usage: LOADTEST_USAGE,
    run: loadtestCommand,
  },
  discover: {
    summary: 'list the hubs on the LAN (mDNS)',
    usage: DISCOVER_USAGE,
    run: discoverCommand,
  },
};

export const USAGE = `Usage: lanboard <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

  lanboard <command> --help    that command's options
  lanboard --version           the version

Settings come from defaults < the config file (zwibbler.conf format) <
LANBOARD_* environment variables < flags; every setting is in
docs/configuration.md of the source.`;
