// A real HTTP server on 127.0.0.1 that records the calls the hub makes to it
// (the Zwibbler webhook, the Yjs change callback) and answers each as the test says.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from './hub-fixture';

export interface Call {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  rawBody: Buffer;
  at: number;
  /** Resolves when the connection of this call closes. */
  closed: Promise<void>;
}

/** What to do with a call; `n` counts calls for the same body, from 1. Default: 200. */
export type Reply = (res: http.ServerResponse, call: Call, n: number) => void;

export interface Receiver {
  url: string;
  calls: Call[];
  /** The calls for one subject (a document, a room), in arrival order. */
  callsFor(subject: string): Call[];
  waitForCalls(subject: string, count: number, timeoutMs?: number): Promise<Call[]>;
  close(): Promise<void>;
}

const ok: Reply = (res) => res.end();

/** `subjectOf` names what a call is about, for callsFor and waitForCalls. */
export async function startReceiver(
  subjectOf: (call: Call) => string | undefined,
  reply: Reply = ok,
): Promise<Receiver> {
  const calls: Call[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const call: Call = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: rawBody.toString('utf8'),
        rawBody,
        at: Date.now(),
        closed,
      };
      calls.push(call);
      const n = calls.filter((c) => c.body === call.body).length;
      reply(res, call, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const callsFor = (subject: string): Call[] => calls.filter((c) => subjectOf(c) === subject);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    calls,
    callsFor,
    async waitForCalls(subject, count, timeoutMs = 10_000) {
      await waitFor(
        `${count} call(s) for ${subject}`,
        () => callsFor(subject).length >= count,
        timeoutMs,
      );
      return callsFor(subject);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function waitFor(
  what: string,
  done: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
