// `npm run bench:abuse`: one hub with its default settings (its own process,
// `lanboard serve`), attacked from one loopback address per row while a
// bystander on another (127.0.0.3) keeps editing a Yjs room: a bounded
// connection flood that stops early, slow requests, and floods of creation
// and guessing. Prints what the hub refused and whether the bystander still
// synced, as a Markdown table for docs/benchmarks.md; then the budgets' rows
// (abuse-budgets.ts), each against a fresh hub. No assertions.
import fs from 'node:fs';
import io from 'socket.io-client-v2';
import { BUDGET_HEAD, budgetRows } from './abuse-budgets';
import { markdownTable } from './markdown';
import {
  bystanderPair,
  connectionFlood,
  describeTally,
  httpClient,
  secondsUntilCut,
  tally,
} from './abuse-clients';
import { cleanup, machine, start, tempDir, waitForLine } from './processes';

const BYSTANDER = '127.0.0.3';
const ADMIN_TOKEN = 'bench-abuse-admin-token';
const FLOOD_MAX = 3000;

const openFiles = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;
const softLimit = (pid: number) =>
  /Max open files\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1] ?? '?';
const ms = (v: number | null) => (v === null ? '**no**' : `yes, ${v} ms`);
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const randomCode = () =>
  Array.from({ length: 6 }, () => CODE_ALPHABET[Math.floor(Math.random() * 31)]).join('');

/** `npm run bench:abuse -- --only <regex>`: only the budgets' rows whose attack matches. */
function onlyArgument(): RegExp | undefined {
  const at = process.argv.indexOf('--only');
  return at === -1 ? undefined : new RegExp(process.argv[at + 1] ?? '', 'i');
}

async function main(): Promise<void> {
  const only = onlyArgument();
  if (only) {
    console.log(['`npm run bench:abuse -- --only`', ...machine()].map((l) => `- ${l}`).join('\n'));
    console.log(markdownTable(BUDGET_HEAD, await budgetRows(only)));
    return;
  }
  const dir = tempDir();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LANBOARD_')),
  );
  const hub = start(
    [
      'bin/lanboard.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-mdns',
      '--db',
      'memory',
      '--data-dir',
      dir,
      '--admin-token',
      ADMIN_TOKEN,
    ],
    env,
  );
  const port = await waitForLine(hub, 'hub listening', (line) =>
    line.includes('"hub listening"') ? (JSON.parse(line) as { port: number }).port : undefined,
  );
  const base = `http://127.0.0.1:${port}`;
  const rows: string[][] = [];
  const row = (...cells: string[]) => rows.push(cells);

  const admin = httpClient('127.0.0.1', base);
  const made = await admin.request('/admin/api/classes', {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Bench' }),
  });
  const { code } = JSON.parse(made.text) as { code: string };
  const bystander = httpClient(BYSTANDER, base);
  const boards = await bystanderPair(`ws://127.0.0.1:${port}`, BYSTANDER);
  const joined = await bystander.request(`/api/classes/${code}/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Bystander' }),
  });
  const studentToken = (JSON.parse(joined.text) as { token: string }).token;
  row('bystander before anything', BYSTANDER, '—', '—', `synced: ${ms(await boards.syncs())}`);

  // 1. Connections: a bounded flood of idle connections from one address.
  const fdsBefore = openFiles(hub.pid);
  const began = Date.now();
  const flood = await connectionFlood(port, '127.0.0.2', FLOOD_MAX);
  const fdsDuring = openFiles(hub.pid);
  const during = await boards.syncs();
  const health = await admin.request('/healthz');
  const snapshot = await admin.request('/admin/api/snapshot', {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  row(
    'connection flood (idle TCP)',
    '127.0.0.2',
    `${flood.attempted} connections in ${((Date.now() - began) / 1000).toFixed(1)} s, stopped early`,
    `${flood.open} kept open (400 admitted, the rest answered once with 429), ${flood.closedAtAccept} closed at accept; hub fds ${fdsBefore} → ${fdsDuring} of ${softLimit(hub.pid)}; /healthz ${health.status}, admin API ${snapshot.status}`,
    `synced: ${ms(during)}`,
  );
  const cutStart = Date.now();
  while (openFiles(hub.pid) > fdsBefore + 10 && Date.now() - cutStart < 30_000) {
    await new Promise((r) => setTimeout(r, 250));
  }
  row(
    'the same idle connections, left alone',
    '127.0.0.2',
    '—',
    `all cut by HeadersTimeoutSeconds after ${((Date.now() - cutStart) / 1000).toFixed(1)} s more (hub fds ${openFiles(hub.pid)})`,
    `synced: ${ms(await boards.syncs())}`,
  );
  flood.release();

  // 2. Slow requests, all at once, while the creation rows run.
  const slow = Promise.all([
    secondsUntilCut(port, '127.0.0.9', 'GET /socket HTTP/1.1\r\nHost: hub\r\nX-Slow: ', 'a'),
    secondsUntilCut(port, '127.0.0.10', '', undefined),
    secondsUntilCut(
      port,
      '127.0.0.11',
      'POST /rtc/access HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      ' ',
    ),
  ]);

  // 3. Creating: workspaces, SSE peers.
  const workspaces = io(base, {
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    localAddress: '127.0.0.4',
  });
  await new Promise((r) => workspaces.once('connect', r));
  const created = await tally(100, 1, () =>
    new Promise<string>((resolve) => {
      workspaces.once('created', () => resolve('created'));
      workspaces.once('alert', (m: string) =>
        resolve(/Too many workspaces/.test(m) ? 'refused (alert)' : m),
      );
      workspaces.emit('create', { workspace: { name: 'Flood' }, attendee: {} });
    }).finally(() => {
      workspaces.off('created');
      workspaces.off('alert');
    }),
  );
  workspaces.close();
  const mine = io(base, {
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    localAddress: BYSTANDER,
  });
  const bystanderCreated = await new Promise<string>((resolve) => {
    mine.once('created', () => resolve('created'));
    mine.once('alert', (m: string) => resolve(m));
    mine.emit('create', { workspace: { name: 'Class 4B' }, attendee: {} });
  });
  mine.close();
  row(
    'workspace creation',
    '127.0.0.4',
    '100 `create` on one connection',
    describeTally(created),
    `its own create: ${bystanderCreated}; synced: ${ms(await boards.syncs())}`,
  );

  const peers = httpClient('127.0.0.5', base);
  const access = (c: typeof peers) =>
    c.request('/rtc/access', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'flood' }),
    });
  const peerTally = await tally(300, 8, async () => (await access(peers)).status);
  row(
    'SSE peers (`POST /rtc/access`)',
    '127.0.0.5',
    '300',
    describeTally(peerTally),
    `its own: ${(await access(bystander)).status}; synced: ${ms(await boards.syncs())}`,
  );

  // 4. Guessing: class codes, tokens.
  const guesser = httpClient('127.0.0.6', base);
  const guessStart = Date.now();
  const guesses = await tally(
    500,
    8,
    async () => (await guesser.request(`/api/classes/${randomCode()}`)).status,
  );
  const guessSeconds = (Date.now() - guessStart) / 1000;
  const lookUp = await bystander.request(`/api/classes/${code}`);
  row(
    'class code guessing (`GET /api/classes/<random>`)',
    '127.0.0.6',
    `500 in ${guessSeconds.toFixed(1)} s`,
    `${describeTally(guesses)}: ${guesses.get(404) ?? 0} codes checked, then 1 miss every 2 s`,
    `its lookup ${lookUp.status}; synced: ${ms(await boards.syncs())}`,
  );
  const tokens = httpClient('127.0.0.7', base);
  const tokenTally = await tally(
    200,
    8,
    async (i) =>
      (i % 2
        ? await tokens.request(`/rtc/connect?token=forged-${i}`, {
            headers: { Accept: 'text/event-stream' },
          })
        : await tokens.request(`/api/classes/${code}/me`, {
            headers: { Authorization: `Bearer forged-${i}` },
          })
      ).status,
  );
  const me = await bystander.request(`/api/classes/${code}/me`, {
    headers: { Authorization: `Bearer ${studentToken}` },
  });
  row(
    'token guessing (SSE `connect`, class `/me`)',
    '127.0.0.7',
    '200, alternating',
    describeTally(tokenTally),
    `its /me ${me.status}; synced: ${ms(await boards.syncs())}`,
  );

  // 5. One member's token opening many class event streams.
  const streams = httpClient('127.0.0.8', base);
  const streamTally = await tally(20, 20, async () => {
    const r = await Promise.race([
      streams.request(`/api/classes/${code}/events?token=${studentToken}`).then((x) => x.status),
      new Promise<number>((resolve) => setTimeout(() => resolve(200), 1000)), // a stream never ends
    ]);
    return r;
  });
  row(
    'class event streams, one token',
    '127.0.0.8',
    '20',
    describeTally(streamTally),
    `synced: ${ms(await boards.syncs())}`,
  );
  streams.close();

  const [headers, idle, body] = await slow;
  row(
    'trickled headers (1 byte/s)',
    '127.0.0.9',
    '1 connection',
    `cut after ${headers.seconds.toFixed(1)} s with ${headers.status}`,
    '—',
  );
  row(
    'idle connection, no request',
    '127.0.0.10',
    '1 connection',
    `cut after ${idle.seconds.toFixed(1)} s`,
    '—',
  );
  row(
    'slow body (1 byte/s of 1000)',
    '127.0.0.11',
    '1 request',
    `cut after ${body.seconds.toFixed(1)} s with ${body.status}`,
    `synced: ${ms(await boards.syncs())}`,
  );

  for (const c of [admin, bystander, peers, guesser, tokens]) c.close();
  boards.close();
  await hub.stop();
  console.log(
    ['`npm run bench:abuse`, the hub at its defaults (`--db memory`).', ...machine()]
      .map((l) => `- ${l}`)
      .join('\n'),
  );
  console.log();
  console.log(
    markdownTable(['Row', 'From', 'Attacker sent', 'Hub answered', 'Bystander (127.0.0.3)'], rows),
  );
  console.log();
  console.log(markdownTable(BUDGET_HEAD, await budgetRows()));
}

main()
  .catch((err: Error) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
