// sendFile when the file cannot be read after its stat (gone in a rebuild, say):
// the response is cut short and the process carries on.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { tempDir } from '../test/hub-fixture';
import { sendFile } from './static-files';

const dir = tempDir('lanboard-static-');
let server: http.Server;
let base = '';

before(async () => {
  // A folder passes the stat but fails the read (EISDIR), as a file deleted in between does.
  server = http.createServer((req, res) => sendFile(req, res, dir.dir, {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  dir.remove();
});

test(
  'a file that cannot be read cuts the response short; the server still answers',
  { timeout: 10_000 },
  async () => {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(async () => {
        const res = await fetch(`${base}/x`);
        await res.arrayBuffer();
      });
    }
  },
);
