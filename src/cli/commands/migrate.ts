import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMigrations, MIGRATIONS_DIR, MigrationError, migrateDown, migrateUp, migrationStatus } from '../../migrate/index.ts';
import { type Command, intOption, UsageError, withDatabase } from '../command.ts';

const json = { json: { type: 'boolean' } } as const;
const jsonHelp = '--json              machine-readable output';

export const migrateStatus: Command = {
  name: 'migrate status',
  summary: 'List migrations as applied, pending, edited (changed after they were applied) or missing (applied, but not on disk).',
  options: json,
  optionHelp: [jsonHelp],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const status = await withDatabase(config(), 'quickchat migrate status', (d) => migrationStatus(d.db, migrations));
    if (values.json) {
      out(JSON.stringify({ migrations: status }, null, 2));
    } else {
      for (const s of status) {
        const extra =
          s.state === 'edited' ? `  recorded ${s.expectedHash?.slice(0, 12)} ≠ on disk ${s.actualHash?.slice(0, 12)} (${s.file})` : '';
        out(`${s.state.padEnd(8)} ${s.name}${s.appliedAt ? `  ${s.appliedAt}` : ''}${extra}`);
      }
      const pending = status.filter((s) => s.state === 'pending').length;
      out(`${status.length} migrations, ${pending} pending`);
    }
    return status.some((s) => s.state === 'edited' || s.state === 'missing') ? 1 : 0;
  },
};

export const migrateUpCmd: Command = {
  name: 'migrate up',
  summary: 'Apply pending migrations in order, each in its own transaction, under one advisory lock.',
  options: { ...json, to: { type: 'string' } },
  optionHelp: ['--to N              stop after migration N', jsonHelp],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const to = intOption(values, 'to');
    const result = await withDatabase(config(), 'quickchat migrate up', (d) =>
      migrateUp(d.db, migrations, { to, onProgress: (e) => !values.json && out(`applied  ${e.name} (${e.ms} ms)`) }),
    );
    if (values.json) out(JSON.stringify(result, null, 2));
    else if (!result.applied.length) out('Nothing to apply: the database is up to date.');
    return 0;
  },
};

export const migrateDownCmd: Command = {
  name: 'migrate down',
  summary: 'Roll back applied migrations newest first with their down.sql: the last one, or every one above --to N.',
  options: { ...json, to: { type: 'string' }, force: { type: 'boolean' } },
  optionHelp: [
    '--to N              roll back every migration numbered above N (0 = all)',
    '--force             also run migrations marked irreversible',
    jsonHelp,
  ],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const to = intOption(values, 'to');
    const result = await withDatabase(config(), 'quickchat migrate down', (d) =>
      migrateDown(d.db, migrations, {
        to,
        force: Boolean(values.force),
        onProgress: (e) => !values.json && out(`rolled back ${e.name} (${e.ms} ms)`),
      }),
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

export { MigrationError };
