import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import {
  applyPlan,
  driftGuard,
  loadBaseline,
  loadMigrations,
  MIGRATIONS_DIR,
  type MigrationReport,
  migrateDown,
  migrateUp,
  migrationStatus,
  parsePlan,
  type RunOptions,
  runner,
} from '../../migrate/index.ts';
import { type Command, type CommandInput, intOption, UsageError, withDatabaseRaw } from '../command.ts';
import { progressRenderer } from '../progress.ts';

export const migrateStatus: Command = {
  name: 'migrate status',
  summary: 'List migrations as applied, pending, edited (changed after they were applied) or missing (applied, but not on disk).',
  json: true,
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const status = await withDatabaseRaw(config(), 'quickchat migrate status', (d) => migrationStatus(d.db, migrations));
    if (values.json) {
      out(JSON.stringify({ migrations: status }, null, 2));
    } else {
      for (const s of status) {
        const stop = s.stoppedAt;
        const extra =
          s.state === 'edited'
            ? `  recorded ${s.expectedHash?.slice(0, 12)} ≠ on disk ${s.actualHash?.slice(0, 12)} (${s.file})`
            : stop
              ? `  ${stop.direction}${stop.undo ? ' (undo)' : ''} stopped after ${stop.stepsDone}/${stop.steps} steps, next: ${stop.next}; run migrate ${stop.direction} to finish, or migrate ${stop.direction === 'up' ? 'down' : 'up'} to go back`
              : '';
        out(`${s.state.padEnd(8)} ${s.name}${s.appliedAt ? `  ${s.appliedAt}` : ''}${extra}`);
      }
      const pending = status.filter((s) => s.state === 'pending').length;
      const partial = status.filter((s) => s.state === 'partial').length;
      out(`${status.length} migrations, ${pending} pending${partial ? `, ${partial} half-applied` : ''}`);
    }
    return status.some((s) => s.state === 'edited' || s.state === 'missing') ? 1 : 0;
  },
};

const runOptionHelp = [
  '--lock-timeout MS    longest wait for one lock (default MIGRATE_LOCK_TIMEOUT_MS, 1000)',
  '--no-backup          skip the backups before destructive statements',
];

function runOptions(config: Config, values: CommandInput['values'], out: (l: string) => void): RunOptions {
  const lock = intOption(values, 'lock-timeout');
  const render = progressRenderer();
  return {
    ...config.migrate,
    ...(lock !== undefined ? { lockTimeoutMs: lock } : {}),
    backups: !values['no-backup'],
    onEvent: render,
    onProgress: (e) => {
      if (!values.json)
        out(`${e.action === 'up' ? 'applied    ' : 'rolled back'} ${e.name} (${e.ms} ms${e.report ? reportSummary(e.report) : ''})`);
    },
  };
}

function reportSummary(r: MigrationReport): string {
  const parts = [`lock wait ≤ ${r.lockWaitMs} ms`, `ACCESS EXCLUSIVE held ≤ ${r.accessExclusiveMs} ms`];
  if (r.rowsBackfilled) parts.push(`${r.rowsBackfilled.toLocaleString('en-US')} rows backfilled`);
  if (r.steps.length > 1) parts.push(`${r.steps.length} steps`);
  return `; ${parts.join(', ')}`;
}

const runFlags = { to: { type: 'string' }, 'lock-timeout': { type: 'string' }, 'no-backup': { type: 'boolean' } } as const;

export const migrateUpCmd: Command = {
  name: 'migrate up',
  summary:
    'Apply pending migrations step by step under one advisory lock (lock_timeout with retries, backups, batched backfills); continues a half-applied one. Refuses on schema drift.',
  json: true,
  options: { ...runFlags, plan: { type: 'string' }, 'allow-drift': { type: 'boolean' } },
  optionHelp: [
    '--to N              stop after migration N',
    '--plan FILE         apply exactly the plan written by migrate plan --out (refused if anything it saw changed)',
    '--allow-drift       apply even though the live schema differs from the history (recorded in migration_engine.drift_log)',
    ...runOptionHelp,
  ],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const to = intOption(values, 'to');
    if (values.plan && to !== undefined) throw new UsageError('--plan fixes what is applied: leave out --to');
    const cfg = config();
    const opts = {
      ...runOptions(cfg, values, out),
      guard: driftGuard(migrations, Boolean(values['allow-drift']), runner()),
      baseline: loadBaseline(MIGRATIONS_DIR),
    };
    const plan = typeof values.plan === 'string' ? parsePlan(readPlanFile(values.plan), values.plan) : null;
    const result = await withDatabaseRaw(cfg, 'quickchat migrate up', (d) =>
      plan ? applyPlan(d.db, plan, migrations, opts) : migrateUp(d.db, migrations, { ...opts, to }),
    );
    if (values.json) out(JSON.stringify(result, null, 2));
    else if (!result.applied.length) out('Nothing to apply: the database is up to date.');
    return 0;
  },
};

function readPlanFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the plan ${file}: ${(err as Error).message}`);
  }
}

export const migrateDownCmd: Command = {
  name: 'migrate down',
  summary: 'Roll back the last migration (or every one above --to N) with its down.sql; undoes a half-applied one first.',
  json: true,
  options: { ...runFlags, force: { type: 'boolean' } },
  optionHelp: [
    '--to N              roll back every migration numbered above N (0 = all)',
    '--force             also run migrations marked irreversible',
    ...runOptionHelp,
  ],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const to = intOption(values, 'to');
    const cfg = config();
    const opts = runOptions(cfg, values, out);
    const result = await withDatabaseRaw(cfg, 'quickchat migrate down', (d) =>
      migrateDown(d.db, migrations, { ...opts, to, force: Boolean(values.force) }),
    );
    if (values.json) out(JSON.stringify(result, null, 2));
    else if (!result.rolledBack.length) out('Nothing to roll back.');
    return 0;
  },
};

const TEMPLATE = (title: string, date: string) => `---
title: "${title}"
date: ${date}
type: database
phase: none
deprecates: []
# acknowledge: [{rule: <migrate lint rule id>, statement: <n>, reason: "<why it is fine here>"}]
# backup: false  (no backups before destructive statements; lint asks for an acknowledged reason)
---
## Summary
What changes and why, in two sentences.

## Changes
- 

## Before/After

## Impact
Which endpoints, jobs and clients are affected.

## Rollout
Expand / backfill / contract step, and what must ship before it.

## Rollback
What down.sql does, and what data it cannot bring back.
`;

export const migrateNew: Command = {
  name: 'migrate new',
  args: '<name>',
  summary: 'Scaffold migrations/NNNN_<name>/ with up.sql, down.sql and a README.md to fill in.',
  async run({ positionals, out }) {
    const raw = positionals[0];
    if (!raw || !/^[a-z][a-z0-9_]*$/.test(raw))
      throw new UsageError('Give a name in snake_case, e.g. quickchat migrate new add_question_index');
    const existing = loadMigrations(MIGRATIONS_DIR);
    const next = String((existing.at(-1)?.id ?? 0) + 1).padStart(4, '0');
    const dir = join(MIGRATIONS_DIR, `${next}_${raw}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'up.sql'), `-- ${raw}: the forward change.\n`);
    writeFileSync(join(dir, 'down.sql'), '-- The rollback, as code. If it cannot exist, replace this with:\n-- irreversible: <reason>\n');
    writeFileSync(join(dir, 'README.md'), TEMPLATE(raw.replaceAll('_', ' '), new Date().toISOString().slice(0, 10)));
    out(`Created ${dir}`);
    return 0;
  },
};
