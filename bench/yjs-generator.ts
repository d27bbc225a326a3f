// The Yjs benchmark's load-generator process: T writers and S watchers (real
// providers, see yjs-clients.ts) in one room, ramped up over rampUpMs. It
// prints the same lines as generator.ts ({"tick": …} every second, then
// {"summary": …}), so measure.ts reads both alike. In those numbers, changes
// are entries written, delivered.appends the entries other clients received,
// and changes.unconfirmed the entries still missing at some client once the
// run has drained (errors.behind: how many clients lack one).
// Usage: node --import tsx bench/yjs-generator.ts '<YjsLoadInput as JSON>'
import { measureGeneratorLoad } from '../server/loadtest/generator-load';
import { Metrics } from '../server/loadtest/metrics';
import { summary } from '../server/loadtest/report';
import type { RunTarget } from '../server/loadtest/report';
import { settle, untilStopped } from '../server/loadtest/run-control';
import { startTicker } from '../server/loadtest/ticker';
import { missing, YjsSimClient } from './yjs-clients';
import type { YjsLoadInput, YjsRun } from './yjs-clients';

/** How long stragglers get to receive every entry once writing stops. */
const DRAIN_MS = 5000;

const input = JSON.parse(process.argv[2] ?? '{}') as YjsLoadInput;
// Each WebsocketProvider adds a process 'exit' listener: hundreds are expected here.
process.setMaxListeners(0);
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());

const metrics = new Metrics();
const wanted = input.writers + input.watchers;
const load = measureGeneratorLoad();
const ticker = startTicker(metrics, wanted, { tickMs: 1000, statsFrom: 'all-connected' }, (tick) =>
  process.stdout.write(`${JSON.stringify({ tick })}\n`),
);
const run: YjsRun = {
  kind: input.kind,
  url: input.url,
  room: input.room,
  metrics,
  delayMs: input.delayMs,
  random: Math.random,
  written: new Array<number>(input.writers).fill(0),
  stopWriting: false,
};
const clients: YjsSimClient[] = [];
for (let i = 0; i < input.watchers; i++) clients.push(new YjsSimClient(run, undefined));
for (let w = 0; w < input.writers; w++) clients.push(new YjsSimClient(run, w));
for (const c of clients) c.start(Math.random() * input.rampUpMs);

const stoppedBy = await untilStopped(input.durationS, controller.signal);
run.stopWriting = true;
const lacking = () =>
  missing(
    clients.filter((c) => c.isJoined),
    run.written,
  );
await settle(() => lacking().entries === 0, DRAIN_MS);
const gone = lacking();
metrics.unconfirmed = gone.entries;
const final = ticker.stop();
const generator = load.stop(final.elapsedS);
for (const c of clients) c.stop();
const target: RunTarget = {
  url: input.url,
  docId: input.room,
  teachers: input.writers,
  students: input.watchers,
  delayMs: input.delayMs,
  length: 0, // entries are small JSON objects, not sized payloads
  durationS: input.durationS,
};
process.stdout.write(
  `${JSON.stringify({ summary: summary(final, target, stoppedBy, gone.behind, generator) })}\n`,
);
// Providers' reconnect and watchdog timers must not keep the process alive.
setTimeout(() => process.exit(0), 2000).unref();
