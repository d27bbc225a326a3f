// The headless host: `lanboard serve …`. Errors the user can fix print one line
// and exit non-zero (2 for bad config or usage, 1 when the hub cannot start).
import { createHub } from './index';
import { serveSources, UsageError } from './config/flags';
import { ConfigError, loadConfig } from './config/load';
import { ListenError } from './transport/http-server';

const USAGE = `Usage:
  lanboard serve [--config <file>] [--host <addr>] [--port <n>]
                 [--db <sqlite-file>|memory] [--data-dir <dir>]
                 [--log-level <level>] [--no-mdns]
  lanboard --help | --version

Settings come from defaults < the config file (zwibbler.conf format) <
LANBOARD_* environment variables < flags. Without --config, <data-dir>/lanboard.conf
is read when it exists. See README.md for every key.`;

async function serve(args: string[]): Promise<void> {
  const loaded = loadConfig(serveSources(args, process.env));
  const hub = createHub(loaded.config);
  for (const w of loaded.warnings) process.stderr.write(`lanboard: warning: ${w}\n`);
  await hub.start();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`lanboard: ${signal}, stopping\n`);
    hub.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case '--version':
    case '-v':
      process.stdout.write(`${await version()}\n`);
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

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (err instanceof UsageError) {
    process.stderr.write(`lanboard: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof ConfigError) {
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
