// `npm run soak [-- <cycles>]`: the crash tests with far more SIGKILLs than CI
// gives them, 40 per test unless told: Yjs rooms and class boards
// (yjs-crash), workspaces with their leaves, kicks and destroys
// (workspaces-crash), classes and their members (classes-crash), Zwibbler
// tokens and document keys (zwibbler-records-crash). Results go in docs/benchmarks.md#crash-soak.
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
    'server/test/classes-crash.test.ts',
    'server/test/zwibbler-records-crash.test.ts',
  ],
  { stdio: 'inherit', env: { ...process.env, LANBOARD_CRASH_CYCLES: cycles } },
);
process.exit(result.status ?? 1);
