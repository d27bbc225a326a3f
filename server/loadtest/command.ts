// `lanboard loadtest`: runs the load test in this process with a live display on
// stderr, stops at --duration or on Ctrl-C (SIGINT) or SIGTERM, and prints the
// summary on stdout: text, or one JSON object with --json. A second Ctrl-C
// quits at once without a summary.
import { formatSummary, LiveDisplay } from './display';
import { completeOptions, loadtestArgs } from './options';
import { runLoadTest } from './runner';

export async function loadtestCommand(args: string[]): Promise<void> {
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
    const result = await runLoadTest(options, {
      signal: controller.signal,
      onTick: (s) => display.update(s),
      log: verbose ? (line) => display.log(line) : undefined,
    });
    display.finish();
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : formatSummary(result));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
