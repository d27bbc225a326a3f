// readBody's deadline (docs/operating.md#timeouts), on a plain Node server
// without Node's own request timeout, so that only readBody can cut the body.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { RawConnection } from '../test/from-address';
import { BodyTimeoutError, readBody, readJson, setBodyDeadline } from './reply';

test('readBody gives up on a trickled body at the deadline the transport set, and readJson answers 408', async () => {
  const outcomes: unknown[] = [];
  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    setBodyDeadline(req, Date.now() + 500);
    const started = Date.now();
    const read = req.url === '/json' ? readJson(req, 1024) : readBody(req, 1024);
    read.then(
      () => res.end('read'),
      (err: Error & { status?: number }) => {
        outcomes.push({ err, ms: Date.now() - started });
        res.writeHead(err.status ?? 500, { Connection: 'close' }).end();
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    for (const path of ['/raw', '/json']) {
      const c = await RawConnection.open(port, '127.0.0.2');
      c.write(`POST ${path} HTTP/1.1\r\nHost: hub\r\nContent-Length: 100\r\n\r\n`);
      const trickle = setInterval(() => c.isClosed || c.write('a'), 100);
      const reply = await c.response(5000);
      clearInterval(trickle);
      c.destroy();
      assert.equal(reply.status, path === '/json' ? 408 : 500);
    }
    const [raw, json] = outcomes as { err: Error & { status?: number }; ms: number }[];
    assert.ok(raw!.err instanceof BodyTimeoutError);
    assert.ok(raw!.ms >= 450 && raw!.ms < 3000, `gave up after ${raw!.ms} ms`);
    assert.equal(json!.err.status, 408);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
