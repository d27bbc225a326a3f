// `lanboard loadtest`: runs the load test in this process with a live display on
// stderr, stops at --duration or on Ctrl-C (SIGINT) or SIGTERM, and prints the
// summary on stdout: text, or one JSON object with --json. A second Ctrl-C
// quits at once without a summary.
import { formatSummary, LiveDisplay } from './display';
import { completeOptions, loadtestArgs } from './options';
import type { Snapshot } from './report';
import { runLoadTest } from './runner';
import { runLoadTestInWorkers, serveLoadWorker } from './workers';

/** The hidden first argument a worker process of `--workers` is started with. */
const WORKER_ARG = '--worker';

export const LOADTEST_USAGE = `Usage: lanboard loadtest --test <ws-url> --docid <id> [options]

Simulates teachers who draw and students who watch one Zwibbler document on any
Zwibbler server, and reports screen-to-screen times every second until
--duration or Ctrl-C, then a summary (docs/loadtest.md).

Options:
  --test <ws-url>      the server's Zwibbler socket, e.g. ws://127.0.0.1:3000/socket
  --docid <id>         the document every client joins
  --teachers <n>       clients that append (default 0)
  --students <n>       clients that only read (default 0); at least one client in all
  --delay <ms>         mean time between one teacher's changes (default 1000)
  --length <bytes>     bytes per change (default 10, at least 8)
  --duration <s>       stop after this many seconds (default: until Ctrl-C)
  --workers <n>        spread the clients over n processes (default 1: this one)
  --json               the summary as one JSON object on stdout
  --verbose            plain lines, with connections, conflicts and errors
  -h, --help           this text`;

export async function loadtestCommand(args: string[]): Promise<void> {
  if (args[0] === WORKER_ARG && process.send) return serveLoadWorker();
  const { options: input, json, verbose } = loadtestArgs(args);
  const options = completeOptions(input);
  const display = new LiveDisplay(process.stderr, process.stderr.isTTY === true && !verbose);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    display.log(`lanboard: ${signal}, stopping (again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  display.log(
    `lanboard: load test of ${options.url} document ${JSON.stringify(options.docId)}: ` +
      `${options.teachers} teachers, ${options.students} students, delay ${options.delayMs} ms, ` +
      `${options.length}-byte changes` +
      (options.durationS === undefined ? ', until Ctrl-C' : `, for ${options.durationS} s`),
  );
  try {
    const hooks = {
      signal: controller.signal,
      onTick: (s: Snapshot) => display.update(s),
      log: verbose ? (line: string) => display.log(line) : undefined,
    };
    // A worker runs this same command, started as this process was (the CLI's script).
    const entry = { script: process.argv[1]!, args: ['loadtest', WORKER_ARG] };
    const result =
      options.workers > 1
        ? await runLoadTestInWorkers(options, entry, hooks)
        : await runLoadTest(options, hooks);
    display.finish();
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : formatSummary(result));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
