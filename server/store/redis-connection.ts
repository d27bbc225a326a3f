// What every user of the Redis server that several hubs share needs: the
// client's type, `DbServer`'s parser (`host:port`, or a comma-separated list of
// cluster seed nodes with `DbCluster=1`), waiting for a connection, and Lua
// scripts. Opening a connection is in redis-client.ts, the one module that
// loads ioredis, so that a hub without Redis never does.
import type { Cluster, Redis } from 'ioredis';
import { ConfigError } from '../config/load';

export type RedisClient = Redis | Cluster;

interface Endpoint {
  host: string;
  port: number;
}

export function parseRedisServers(value: string): Endpoint[] {
  const endpoints = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(s);
      const port = match?.[2] === undefined ? 6379 : Number(match[2]);
      if (!match || port < 1 || port > 65535) {
        throw new ConfigError(
          `DbServer="${value}" is not valid: expected host:port, or a comma-separated list of them`,
        );
      }
      return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
    });
  if (endpoints.length === 0) {
    throw new ConfigError('DbServer is empty: Database=redis needs host:port');
  }
  return endpoints;
}

/** Resolves once the client has connected (or rejects after `timeoutMs`). */
export function redisReady(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/** How long /healthz waits for Redis to answer PING. */
const HEALTH_PING_MS = 1000;
const pings = new WeakMap<RedisClient, Promise<unknown>>();

/**
 * Throws, within about a second, when Redis cannot serve the hub now: the
 * connection is down (ioredis would queue commands until it is back, so
 * waiting for one would hang /healthz for the whole outage), or a connected
 * server does not answer PING (a hung or stopped redis-server). One PING at
 * a time per client: a monitor polling a hung server adds no more.
 */
export async function checkRedisHealth(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') {
    throw new Error(`Redis is unreachable (connection ${client.status})`);
  }
  let ping = pings.get(client);
  if (!ping) {
    ping = client.ping().finally(() => pings.delete(client));
    pings.set(client, ping);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer PING within ${HEALTH_PING_MS / 1000} s`)),
      HEALTH_PING_MS,
    );
  });
  try {
    await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The key the background probe writes while a store's writes fail (hub/faulty-writes.ts). */
const WRITE_PROBE_KEY = 'lb:write-probe';

/** Resolves once Redis takes a write: a key of its own that expires by itself. */
export async function probeRedisWrite(client: RedisClient): Promise<void> {
  await client.set(WRITE_PROBE_KEY, String(Date.now()), 'PX', 10_000);
}

/**
 * Calls a Lua script registered with `defineCommand` (ioredis adds it as a
 * method, which its types cannot know). `Buffer` in the name returns bulk
 * strings as Buffers.
 */
export function runScript<T>(client: RedisClient, name: string, args: unknown[]): Promise<T> {
  const method = (client as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[name];
  if (!method) throw new Error(`Redis script ${name} is not defined`);
  return method.apply(client, args);
}
