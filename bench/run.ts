/** npm run bench: every benchmark in turn, each printing its figures next to a baseline from the same run. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const BENCHMARKS = [
  'publish-latency.ts',
  'followers-report.ts',
  'emergency.ts',
  'cold-start.ts',
  'workspace.ts',
  'cost.ts',
  'replies.ts',
  'scale.ts',
];
let failed = 0;
for (const file of BENCHMARKS) {
  const script = path.join(import.meta.dirname, file);
  if (!existsSync(script)) continue;
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
