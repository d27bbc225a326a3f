// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the
// most self time, and the share of the whole. For finding a hot path after a
// bench row misses its target (docs/benchmarks.md says how to take a profile).
// Usage: node --import tsx bench/profile-top.ts <file.cpuprofile> [rows]
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rows = '30'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [rows]');
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const frame = byId.get(id)!.callFrame;
  const where = frame.url
    ? `${frame.url.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`
    : '';
  const key = `${frame.functionName || '(anonymous)'} ${where}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  totalUs += dt;
});
const top = [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(rows));
process.stdout.write(`total ${(totalUs / 1e6).toFixed(2)} s sampled\n`);
for (const [key, us] of top) {
  process.stdout.write(
    `${(us / 1e3).toFixed(0).padStart(8)} ms ${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${key}\n`,
  );
}
