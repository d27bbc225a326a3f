// AllowedOrigins: WebSocket origin checks and CORS on a real hub.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startHub } from '../test/hub-fixture';
import type { TestHub } from '../test/hub-fixture';
import { originPolicy } from './origins';

function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('the default (AllowedOrigins empty)', () => {
  let t: TestHub;
  before(async () => (t = await startHub()));
  after(() => t.stop());

  test('WebSockets from any origin connect, as with zwibbler-service', async () => {
    assert.equal(await upgradeStatus(`${t.wsUrl}/socket`, 'https://anywhere.example'), 101);
  });

  // docs/protocols/zwibbler.md#no-cors-headers-unless-origins-are-allowed
  test('no CORS headers, unlike the reference that reflected every origin', async () => {
    const res = await fetch(`${t.httpUrl}/socket?ping`, {
      headers: { Origin: 'https://evil.example' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
  });
});

describe('AllowedOrigins with a list', () => {
  let t: TestHub;
  before(
    async () =>
      (t = await startHub({ AllowedOrigins: 'https://school.example, http://10.0.0.5:8080' })),
  );
  after(() => t.stop());

  test('a listed origin connects; another is refused with 403; none at all (a server) connects', async () => {
    const url = `${t.wsUrl}/socket`;
    assert.equal(await upgradeStatus(url, 'https://school.example'), 101);
    assert.equal(await upgradeStatus(url, 'http://10.0.0.5:8080'), 101);
    assert.equal(await upgradeStatus(url, 'https://evil.example'), 403);
    assert.equal(await upgradeStatus(url), 101);
  });

  test('CORS reflects only a listed origin, and answers its preflight', async () => {
    const ok = await fetch(`${t.httpUrl}/socket?ping`, {
      headers: { Origin: 'https://school.example' },
    });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://school.example');
    assert.equal(ok.headers.get('vary'), 'Origin');
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /Status/);
    const no = await fetch(`${t.httpUrl}/socket?ping`, {
      headers: { Origin: 'https://evil.example' },
    });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${t.httpUrl}/socket`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://school.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  });
});

describe('originPolicy', () => {
  test('* allows every origin, without credentials', () => {
    const p = originPolicy('*');
    assert.equal(p.allowsSocket('https://x.example'), true);
    assert.equal(p.corsHeaders('https://x.example')?.['Access-Control-Allow-Origin'], '*');
    assert.equal(
      p.corsHeaders('https://x.example')?.['Access-Control-Allow-Credentials'],
      undefined,
    );
  });

  test('origins compare normalised: case of the host and a default port do not matter', () => {
    const p = originPolicy('https://School.Example:443');
    assert.equal(p.allowsSocket('https://school.example'), true);
    assert.equal(p.allowsSocket('http://school.example'), false);
    assert.equal(p.allowsSocket('null'), false);
  });
});
