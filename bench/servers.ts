// The servers the benchmark compares, each started fresh as its own process on
// 127.0.0.1 (Lanboard with mDNS off).
import path from 'node:path';
import { start, tempDir, waitForLine } from './processes';
import type { Child } from './processes';

export type ServerName = 'lanboard-memory' | 'lanboard-sqlite' | 'baseline';

export const SERVERS: readonly ServerName[] = ['baseline', 'lanboard-memory', 'lanboard-sqlite'];

export interface RunningServer {
  name: ServerName;
  child: Child;
  /** The Zwibbler WebSocket URL. */
  url: string;
}

/** The environment without the developer's LANBOARD_* settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LANBOARD_')) env[k] = v;
  return env;
}

function listeningPort(msg: string) {
  return (line: string): number | undefined => {
    if (!line.includes(msg)) return undefined;
    try {
      return (JSON.parse(line) as { port: number }).port;
    } catch {
      return undefined;
    }
  };
}

export async function startServer(name: ServerName): Promise<RunningServer> {
  let child: Child;
  if (name === 'baseline') {
    child = start(['--import', 'tsx', 'bench/baseline-server.ts', '0'], cleanEnv());
    const port = await waitForLine(
      child,
      'baseline listening',
      listeningPort('baseline listening'),
    );
    return { name, child, url: `ws://127.0.0.1:${port}/socket` };
  }
  const dir = tempDir();
  const db = name === 'lanboard-memory' ? 'memory' : path.join(dir, 'bench.db');
  child = start(
    [
      'bin/lanboard.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-mdns',
      '--db',
      db,
      '--data-dir',
      dir,
    ],
    cleanEnv(),
  );
  const port = await waitForLine(child, 'hub listening', listeningPort('"hub listening"'));
  return { name, child, url: `ws://127.0.0.1:${port}/socket` };
}
