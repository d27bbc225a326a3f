// One load-generator process of the benchmark: runs the load tester (as a
// library) with the options given as JSON, prints every tick as one JSON line
// ({"tick": snapshot}) so that the parent can sample the server's CPU at the same
// moments, then the summary ({"summary": …}). Statistics start once every client
// has joined, so they describe the steady state, not the ramp-up. With
// `workers` > 1 in the options, the clients run in that many processes of this
// same script (started with --worker), and their numbers are merged
// (server/loadtest/workers.ts).
// Usage: node --import tsx bench/generator.ts '<LoadTestInput as JSON>'
import { runLoadTest } from '../server/loadtest/runner';
import type { LoadTestInput } from '../server/loadtest/options';
import { runLoadTestInWorkers, serveLoadWorker } from '../server/loadtest/workers';

if (process.argv[2] === '--worker') {
  await serveLoadWorker();
} else {
  const input = JSON.parse(process.argv[2] ?? '{}') as LoadTestInput;
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  const options: LoadTestInput = { statsFrom: 'all-connected', ...input };
  const hooks = {
    signal: controller.signal,
    onTick: (tick: unknown) => process.stdout.write(`${JSON.stringify({ tick })}\n`),
  };
  const summary =
    (input.workers ?? 1) > 1
      ? await runLoadTestInWorkers(
          options,
          { script: 'bench/generator.ts', args: ['--worker'] },
          hooks,
        )
      : await runLoadTest(options, hooks);
  process.stdout.write(`${JSON.stringify({ summary })}\n`);
}
