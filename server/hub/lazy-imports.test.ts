// Start-up loads what is used (docs/architecture.md#startup-loads-what-is-used):
// a child hub runs with a loader hook that reports every package it resolves
// or requires:
// ioredis is among them only when Database=redis, pg only when
// Database=postgresql, mysql2 only when Database=mariadb, Socket.IO only once a client asks for a workspace,
// bonjour-service only with mDNS on, qrcode only once a join QR code is drawn,
// prom-client at the first scrape of /metrics, jose at the first token signed
// or checked, and classic-level never.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { killAllHubs, spawnHub } from '../test/child-hub';
import { tempDir } from '../test/hub-fixture';
import { mariaDbUnavailable, startMariaDb } from '../test/mariadb-server';
import { postgresUnavailable, startPostgres } from '../test/postgres-server';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';

const dir = tempDir('lanboard-lazy-');
let register = '';
let redis: TestRedis;

before(async () => {
  // Resolving a package prints "resolved <name>" on stderr, once per name. The
  // hooks run on their own thread, whose process.stderr is relayed to the main
  // thread later: a hub stopped soon after could lose the line. writeSync(2)
  // writes it at once.
  const hooks = path.join(dir.dir, 'hooks.mjs');
  fs.writeFileSync(
    hooks,
    `import { writeSync } from 'node:fs';
    const seen = new Set();
    export async function resolve(specifier, context, next) {
      if (/^[a-z@]/.test(specifier) && !specifier.startsWith('node:') && !seen.has(specifier)) {
        seen.add(specifier);
        writeSync(2, 'resolved ' + specifier + '\\n');
      }
      return next(specifier, context);
    }`,
  );
  // The hub requires some CommonJS packages (transport/ws.ts says why), which
  // the resolve hook does not see: Module._load reports those.
  register = path.join(dir.dir, 'register.mjs');
  fs.writeFileSync(
    register,
    `import Module, { register } from 'node:module';
    import { writeSync } from 'node:fs';
    register(${JSON.stringify(pathToFileURL(hooks).href)});
    const seen = new Set();
    const load = Module._load;
    Module._load = function (request, ...rest) {
      if (/^[a-z@]/.test(request) && !Module.isBuiltin(request) && !seen.has(request)) {
        seen.add(request);
        writeSync(2, 'resolved ' + request + '\\n');
      }
      return load.call(this, request, ...rest);
    };`,
  );
  redis = await startRedis();
});

after(async () => {
  await killAllHubs();
  await redis.stop();
  dir.remove();
});

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function resolvedBy(
  env: Record<string, string>,
  meanwhile: (httpUrl: string) => Promise<unknown> = async () => undefined,
  options: { mdns?: boolean } = {},
): Promise<string[]> {
  const hub = await spawnHub([], env, { nodeArgs: ['--import', register], ...options });
  // `serve` has done all it does at start once it has printed where to join.
  await waitFor(() => /^lanboard: (join at|warning: the hub listens on)/m.test(hub.stderr()));
  await meanwhile(hub.httpUrl);
  await hub.stop();
  return [...hub.stderr().matchAll(/^resolved (\S+)$/gm)].map((m) => m[1]!);
}

test('a hub on SQLite with mDNS off loads none of the packages it does not use yet', async () => {
  const resolved = await resolvedBy({});
  assert.ok(resolved.includes('better-sqlite3'), 'the hook sees the packages the hub loads');
  for (const lazy of [
    'ioredis',
    'pg',
    'mysql2',
    'mysql2/promise',
    'socket.io',
    'engine.io',
    'bonjour-service',
    'qrcode',
    'prom-client',
    'jose',
    'classic-level',
  ]) {
    assert.ok(!resolved.includes(lazy), `${lazy} was loaded: ${resolved.join(' ')}`);
  }
});

test('the first join QR code loads qrcode and is drawn', async () => {
  let qrSvg = '';
  const resolved = await resolvedBy({}, async (httpUrl) => {
    const res = await fetch(`${httpUrl}/api/join`);
    assert.equal(res.status, 200);
    ({ qrSvg } = (await res.json()) as { qrSvg: string });
  });
  assert.match(qrSvg, /^<svg /);
  assert.ok(resolved.includes('qrcode'));
});

test('the first scrape of /metrics loads prom-client, and it has counted since the start', async () => {
  let text = '';
  const resolved = await resolvedBy({}, async (httpUrl) => {
    await (await fetch(`${httpUrl}/healthz`)).text();
    const res = await fetch(`${httpUrl}/metrics`);
    assert.equal(res.status, 200);
    text = await res.text();
  });
  assert.ok(resolved.includes('prom-client'));
  // The HTTP requests before the scrape are in it (the health check's store call).
  assert.match(text, /^lanboard_store_operation_seconds_count\{operation="checkHealth"\} 1$/m);
});

test('the first token issued loads jose, and the token checks out', async () => {
  let token = '';
  const resolved = await resolvedBy({}, async (httpUrl) => {
    const res = await fetch(`${httpUrl}/rtc/access`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada' }),
    });
    assert.equal(res.status, 200);
    ({ token } = (await res.json()) as { token: string });
    // A fresh token for the same peer is issued only after the first one is verified.
    const again = await fetch(`${httpUrl}/rtc/access`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: '{}',
    });
    assert.equal(again.status, 200);
  });
  assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.ok(resolved.includes('jose'));
});

test('a hub with mDNS on loads bonjour-service', async () => {
  const resolved = await resolvedBy(
    { LANBOARD_MDNS_INTERFACE: '127.0.0.1', LANBOARD_MDNS_NAME: 'Lanboard lazy-imports' },
    async () => undefined,
    { mdns: true },
  );
  assert.ok(resolved.includes('bonjour-service'));
});

test('the first request under WorkspacesPath loads Socket.IO and is answered', async () => {
  let status = 0;
  const resolved = await resolvedBy({}, async (httpUrl) => {
    const res = await fetch(`${httpUrl}/socket.io/?EIO=3&transport=polling`);
    status = res.status;
    await res.text();
  });
  assert.equal(status, 200);
  assert.ok(resolved.includes('socket.io'));
});

test('a hub on Redis loads it', async () => {
  const resolved = await resolvedBy({
    LANBOARD_DATABASE: 'redis',
    LANBOARD_DB_SERVER: redis.server,
  });
  assert.ok(resolved.includes('ioredis'));
});

/** What a hub on a test database server resolves. */
async function resolvedOn(
  settings: Record<'Database' | 'DbServer' | 'DbUser' | 'DbPassword' | 'DbName', string>,
) {
  return resolvedBy({
    LANBOARD_DATABASE: settings.Database,
    LANBOARD_DB_SERVER: settings.DbServer,
    LANBOARD_DB_USER: settings.DbUser,
    LANBOARD_DB_PASSWORD: settings.DbPassword,
    LANBOARD_DB_NAME: settings.DbName,
  });
}

test('a hub on PostgreSQL loads pg, and not ioredis', { skip: postgresUnavailable() }, async () => {
  const postgres = await startPostgres();
  try {
    const resolved = await resolvedOn(postgres.settings);
    assert.ok(resolved.includes('pg'));
    assert.ok(!resolved.includes('ioredis'));
  } finally {
    await postgres.stop();
  }
});

test(
  'a hub on MariaDB loads mysql2, and neither pg nor ioredis',
  { skip: mariaDbUnavailable() },
  async () => {
    const mariadb = await startMariaDb();
    try {
      const resolved = await resolvedOn(mariadb.settings);
      assert.ok(resolved.includes('mysql2/promise'), resolved.join(' '));
      for (const other of ['pg', 'ioredis']) assert.ok(!resolved.includes(other), other);
    } finally {
      await mariadb.stop();
    }
  },
);
