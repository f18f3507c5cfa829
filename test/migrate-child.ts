/**
 * A migration runner in a child process, for the crash tests: it kills itself (SIGKILL, no
 * cleanup, like a crashed pod) at the KILL_AT-th step boundary — before or after a step, or
 * after a backfill batch. Without KILL_AT it runs to the end and prints how many boundaries it
 * passed. Usage: node test/migrate-child.ts <database url> <migrations dir> up|down [to]
 */
import { openPostgres } from '../src/db/index.ts';
import { type EngineEvent, loadMigrations, migrateDown, migrateUp } from '../src/migrate/index.ts';

const [url, dir, direction, to] = process.argv.slice(2) as [string, string, 'up' | 'down', string | undefined];
const killAt = Number(process.argv[6] ?? 0);
let boundaries = 0;

function onEvent(e: EngineEvent): void {
  const boundary = (e.type === 'step' && e.phase !== 'skip') || (e.type === 'backfill' && !e.done);
  if (!boundary) return;
  boundaries++;
  if (boundaries === killAt) process.kill(process.pid, 'SIGKILL');
}

const d = openPostgres(url, 1);
const migrations = loadMigrations(dir);
// A fixed batch size makes the number of boundaries the same on every run.
const opts = { onEvent, backfillBatchMs: 0, ...(to !== undefined && to !== '' ? { to: Number(to) } : {}) };
await (direction === 'up' ? migrateUp(d.db, migrations, opts) : migrateDown(d.db, migrations, opts));
await d.close();
console.log(`BOUNDARIES ${boundaries}`);
