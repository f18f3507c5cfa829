/**
 * `npm run test:chaos [vitest args]`: the chaos suite, then one table of every figure its tests
 * recorded (test/chaos/report.ts): requests lost, writes lost, restart time, shed requests…
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'qc-chaos-'));
const report = join(dir, 'figures.jsonl');
const r = spawnSync('vitest', ['run', '--config', 'vitest.chaos.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHAOS_REPORT_FILE: report },
});

interface Figure {
  suite: string;
  name: string;
  value: number | string;
  unit: string;
}
let figures: Figure[] = [];
try {
  figures = readFileSync(report, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Figure);
} catch {
  // No test recorded anything (all skipped or failed early).
}
rmSync(dir, { recursive: true, force: true });
const rows = [['suite', 'figure', 'value'], ...figures.map((f) => [f.suite, f.name, `${f.value}${f.unit ? ` ${f.unit}` : ''}`])];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
console.log(`\nChaos figures (${figures.length}):`);
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, j) => cell.padEnd(widths[j] ?? 0)).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
process.exitCode = r.status ?? 1;
