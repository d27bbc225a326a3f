// Start-up loads what is used (docs/architecture.md#startup-loads-what-is-used):
// a child hub runs with a loader hook that reports every package it resolves:
// ioredis is among them only when Database=redis, pg only when
// Database=postgresql, Socket.IO only once a client asks for a workspace.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { killAllHubs, spawnHub } from '../test/child-hub';
import { tempDir } from '../test/hub-fixture';
import { postgresUnavailable, startPostgres } from '../test/postgres-server';
import { startRedis } from '../test/redis-server';
import type { TestRedis } from '../test/redis-server';

const dir = tempDir('lanboard-lazy-');
let register = '';
let redis: TestRedis;

before(async () => {
  // Resolving a package prints "resolved <name>" on stderr, once per name.
  const hooks = path.join(dir.dir, 'hooks.mjs');
  fs.writeFileSync(
    hooks,
    `const seen = new Set();
    export async function resolve(specifier, context, next) {
      if (/^[a-z@]/.test(specifier) && !specifier.startsWith('node:') && !seen.has(specifier)) {
        seen.add(specifier);
        process.stderr.write('resolved ' + specifier + '\\n');
      }
      return next(specifier, context);
    }`,
  );
  register = path.join(dir.dir, 'register.mjs');
  fs.writeFileSync(
    register,
    `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`,
  );
  redis = await startRedis();
});

after(async () => {
  await killAllHubs();
  await redis.stop();
  dir.remove();
});

async function resolvedBy(
  env: Record<string, string>,
  meanwhile: (httpUrl: string) => Promise<unknown> = async () => undefined,
): Promise<string[]> {
  const hub = await spawnHub([], env, { nodeArgs: ['--import', register] });
  await meanwhile(hub.httpUrl);
  await hub.stop();
  return [...hub.stderr().matchAll(/^resolved (\S+)$/gm)].map((m) => m[1]!);
}

test('a hub on SQLite never loads ioredis nor pg, nor Socket.IO before a workspace request', async () => {
  const resolved = await resolvedBy({});
  assert.ok(resolved.includes('better-sqlite3'), 'the hook sees the packages the hub loads');
  for (const lazy of ['ioredis', 'pg', 'socket.io', 'engine.io']) {
    assert.ok(!resolved.includes(lazy), `${lazy} was loaded: ${resolved.join(' ')}`);
  }
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

test('a hub on PostgreSQL loads pg, and not ioredis', { skip: postgresUnavailable() }, async () => {
  const postgres = await startPostgres();
  try {
    const s = postgres.settings;
    const resolved = await resolvedBy({
      LANBOARD_DATABASE: s.Database,
      LANBOARD_DB_SERVER: s.DbServer,
      LANBOARD_DB_USER: s.DbUser,
      LANBOARD_DB_PASSWORD: s.DbPassword,
      LANBOARD_DB_NAME: s.DbName,
    });
    assert.ok(resolved.includes('pg'));
    assert.ok(!resolved.includes('ioredis'));
  } finally {
    await postgres.stop();
  }
});
