// A real redis-server for tests, on a free loopback port, with the append-only
// file fsynced on every write: what a deployment that must not lose an
// acknowledged append runs. It can be killed and restarted on the same files.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort, tempDir } from './hub-fixture';

export interface TestRedis {
  port: number;
  /** `127.0.0.1:<port>`, for DbServer. */
  server: string;
  /** Stops the server abruptly (SIGKILL) and starts it again on the same data. */
  restart(downMs?: number): Promise<void>;
  /** Kills the server (SIGKILL) and leaves it down, its data kept for `up`. */
  down(): Promise<void>;
  /** Starts a server that is `down` again, on the same port and data. */
  up(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void;
  stop(): Promise<void>;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** `extraArgs` go to redis-server after the defaults (cluster mode, say). */
export async function startRedis(extraArgs: string[] = []): Promise<TestRedis> {
  const port = await freePort();
  const dir = tempDir('lanboard-redis-');
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    await waitForPing(port);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port,
    server: `127.0.0.1:${port}`,
    async restart(downMs = 200) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    down: kill,
    up: launch,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async stop() {
      child?.kill('SIGCONT'); // a frozen server takes SIGKILL too, but say so plainly
      await kill();
      dir.remove();
    },
  };
}

export interface TestRedisCluster {
  nodes: TestRedis[];
  /** Every node's `127.0.0.1:<port>`, comma-separated, for DbServer with DbCluster=1. */
  servers: string;
  stop(): Promise<void>;
}

/** A Redis Cluster of `size` masters on loopback, slots spread by redis-cli. */
export async function startRedisCluster(size = 3): Promise<TestRedisCluster> {
  const nodes: TestRedis[] = [];
  for (let i = 0; i < size; i++) {
    nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000']));
  }
  const addresses = nodes.map((n) => n.server);
  await new Promise<void>((resolve, reject) => {
    const cli = spawn(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { stdio: 'ignore' },
    );
    cli.once('error', reject);
    cli.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`redis-cli --cluster create exited ${code}`)),
    );
  });
  // Every node must agree the cluster is up before clients use it.
  for (const node of nodes) {
    const client = new Redis({ port: node.port, host: '127.0.0.1' });
    try {
      const deadline = Date.now() + 15_000;
      while (!/cluster_state:ok/.test(await client.cluster('INFO'))) {
        if (Date.now() > deadline) throw new Error('the Redis Cluster did not come up');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      client.disconnect();
    }
  }
  return {
    nodes,
    servers: addresses.join(','),
    async stop() {
      for (const n of nodes) await n.stop();
    },
  };
}
