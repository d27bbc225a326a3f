// `lanboard <command>`: dispatches to the commands (commands.ts). Errors the
// user can fix print one line and exit non-zero: 2 for bad config or usage,
// 1 when the hub cannot start (a port in use).
import { COMMANDS, USAGE } from './commands';
import { UsageError } from './config/flags';
import { ConfigError } from './config/load';
import { hubVersion } from './config/version';
import { ImportError } from './store/import-error';
import { ListenError } from './transport/http-server';

const HELP = new Set(['--help', '-h']);

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || HELP.has(name)) {
    const topic = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    process.stdout.write(`${topic?.usage ?? USAGE}\n`);
    return;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${hubVersion()}\n`);
    return;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.some((arg) => HELP.has(arg))) {
    process.stdout.write(`${command.usage}\n`);
    return;
  }
  try {
    await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lanboard: ${err.message}\n\n${command.usage}\n`);
      process.exit(2);
    }
    throw err;
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
