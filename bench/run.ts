/**
 * `npm run bench`: every benchmark in turn. Each prints ratios against a baseline measured in
 * the same run; nothing here asserts a time. Pass names to run a subset: `npm run bench -- http`.
 */
import { spawnSync } from 'node:child_process';

const ALL = { http: 'bench/http.ts', migrate: 'bench/migrate.ts', erasure: 'bench/erasure.ts' } as const;
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ALL);
for (const name of wanted) {
  const file = ALL[name as keyof typeof ALL];
  if (!file) {
    console.error(`error: unknown benchmark "${name}"; choose from ${Object.keys(ALL).join(', ')}`);
    process.exitCode = 1;
    break;
  }
  console.log(`\n=== bench ${name} ===`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.exitCode = r.status ?? 1;
    break;
  }
}
