// One load-generator process of the benchmark: runs the load tester (as a
// library) with the options given as JSON, prints every tick as one JSON line
// ({"tick": snapshot}) so that the parent can sample the server's CPU at the same
// moments, then the summary ({"summary": …}). Statistics start once every client
// has joined, so they describe the steady state, not the ramp-up.
// Usage: node --import tsx bench/generator.ts '<LoadTestInput as JSON>'
import { runLoadTest } from '../server/loadtest/runner';
import type { LoadTestInput } from '../server/loadtest/options';

const input = JSON.parse(process.argv[2] ?? '{}') as LoadTestInput;
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
const summary = await runLoadTest(
  { statsFrom: 'all-connected', ...input },
  {
    signal: controller.signal,
    onTick: (tick) => process.stdout.write(`${JSON.stringify({ tick })}\n`),
  },
);
process.stdout.write(`${JSON.stringify({ summary })}\n`);
