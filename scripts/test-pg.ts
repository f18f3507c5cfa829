/**
 * `npm run test:pg`: the whole suite against a PostgreSQL server (TEST_DATABASE_URL, default the
 * local CI server). Each test file gets its own database cloned from a migrated template.
 */
import { spawnSync } from 'node:child_process';

const url = process.env.TEST_DATABASE_URL || 'postgres://root@127.0.0.1:5432/test';
const r = spawnSync('vitest', ['run', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: url } });
process.exitCode = r.status ?? 1;
