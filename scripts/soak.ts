// `npm run soak [-- <cycles>]`: the crash tests (server/test/yjs-crash.test.ts
// for Yjs rooms and class boards, server/test/workspaces-crash.test.ts for
// workspaces) with far more SIGKILLs than CI gives them, 40 per test unless
// told. Results go in docs/benchmarks.md#crash-soak.
import { spawnSync } from 'node:child_process';

const cycles = process.argv[2] ?? '40';
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    'server/test/yjs-crash.test.ts',
    'server/test/workspaces-crash.test.ts',
  ],
  { stdio: 'inherit', env: { ...process.env, LANBOARD_CRASH_CYCLES: cycles } },
);
process.exit(result.status ?? 1);
