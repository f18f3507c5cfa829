/**
 * `npm run test:security [-- --runs N] [--seed S] [vitest args]`: the security suite and its report.
 * --runs sets the fuzz cases per route (FUZZ_RUNS, default 12 in CI), --seed the fuzz seed (FUZZ_SEED).
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env: Record<string, string | undefined> = { ...process.env };
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  const [flag, inline] = a.split('=', 2) as [string, string | undefined];
  if (flag === '--runs' || flag === '--seed') {
    const value = inline ?? args[++i];
    if (!value || !/^\d+$/.test(value)) {
      console.error(`${flag} takes a positive integer`);
      process.exit(2);
    }
    env[flag === '--runs' ? 'FUZZ_RUNS' : 'FUZZ_SEED'] = value;
  } else rest.push(a);
}
const r = spawnSync('vitest', ['run', '--config', 'test/security/vitest.config.ts', ...rest], { stdio: 'inherit', env });
process.exitCode = r.status ?? 1;
