import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  docsPath,
  githubAnnotations,
  isStale,
  lintMigrations,
  loadMigrations,
  MIGRATIONS_DIR,
  type MigrationPlan,
  migrationStatus,
  planMarkdown,
  planMigrations,
  renderDocs,
  SRC_DIR,
  sarifLog,
  savePlan,
  summaryTable,
  verifyMigrations,
  withScratchDatabase,
} from '../../migrate/index.ts';
import { type Command, intOption, UsageError, withDatabaseRaw } from '../command.ts';

function printPlan(plans: MigrationPlan[], out: (l: string) => void): void {
  for (const p of plans) {
    out(`${p.name} (${p.direction}) — risk ${p.risk}, ${p.steps.length} step${p.steps.length === 1 ? '' : 's'}`);
    for (const s of p.steps) {
      const where =
        s.kind === 'tx' ? 'one transaction' : s.kind === 'concurrent' ? 'outside a transaction' : 'batched, one transaction per batch';
      const bf = s.backfill ? ` — ${s.backfill.table}: ${s.backfill.rows ?? '?'} rows` : '';
      out(`  step ${s.step}/${p.steps.length}  ${s.label} (${where})${bf} — risk ${s.risk}`);
      for (const st of s.statements) {
        out(`    ${st.file}:${st.line}  ${st.sql.split('\n')[0]}${st.sql.includes('\n') ? ' …' : ''}`);
        const locks = st.locks.length
          ? st.locks.map((l) => `${l.mode} on ${l.table} (${l.newTable ? 'new' : `${l.rows ?? '?'} rows`})`).join(', ')
          : 'no table lock';
        const work = [st.rewrites ? 'rewrites' : '', st.scans ? 'scans' : ''].filter(Boolean).join(' + ') || 'catalog only';
        out(`        ${locks} · ${work} · backup ${st.backup ? 'yes' : 'no'} · risk ${st.risk}`);
        for (const n of st.notes) out(`        note: ${n}`);
      }
    }
  }
}

export const migratePlan: Command = {
  name: 'migrate plan',
  summary:
    'Show what `migrate up` would run, statement by statement: lock and table, rewrite/scan, row counts, risk, backups. Runs nothing.',
  json: true,
  options: { to: { type: 'string' }, down: { type: 'boolean' }, out: { type: 'string' }, format: { type: 'string' } },
  optionHelp: [
    '--to N              plan up to migration N (with --down: the rollback down to N)',
    '--down              plan the rollback instead',
    '--out FILE          save the plan (database, history, file hashes, expected schemas) for migrate up --plan',
    '--format markdown   print the plan as a pull-request comment',
  ],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const to = intOption(values, 'to');
    if (values.format !== undefined && values.format !== 'markdown' && values.format !== 'text') {
      throw new UsageError(`--format takes markdown or text, got "${values.format}"`);
    }
    if (values.out || values.format === 'markdown') {
      if (values.down) throw new UsageError('a saved plan is for migrate up: leave out --down');
      const saved = await withDatabaseRaw(config(), 'quickchat migrate plan', (d) =>
        savePlan(d.db, migrations, to !== undefined ? { to } : {}),
      );
      if (typeof values.out === 'string') {
        writeFileSync(values.out, `${JSON.stringify(saved, null, 2)}\n`);
        if (values.format !== 'markdown')
          out(`Wrote ${values.out}: ${saved.migrations.length} migration(s); apply with migrate up --plan ${values.out}`);
      }
      if (values.format === 'markdown') out(planMarkdown(saved));
      return 0;
    }
    const plans = await withDatabaseRaw(config(), 'quickchat migrate plan', (d) =>
      planMigrations(d.db, migrations, { direction: values.down ? 'down' : 'up', ...(to !== undefined ? { to } : {}) }),
    );
    if (values.json) out(JSON.stringify({ migrations: plans }, null, 2));
    else if (!plans.length) out(values.down ? 'Nothing to roll back.' : 'Nothing to apply: the database is up to date.');
    else printPlan(plans, out);
    return 0;
  },
};

export const migrateLint: Command = {
  name: 'migrate lint',
  summary:
    'Check migrations against the safety rules (PostgreSQL parser AST, data probes on the target database); exit 1 on an unacknowledged error.',
  json: true,
  options: {
    pending: { type: 'boolean' },
    offline: { type: 'boolean' },
    format: { type: 'string' },
    since: { type: 'string' },
  },
  optionHelp: [
    '--pending           only migrations not applied yet',
    '--offline           no database: skip the data probes',
    '--format F          text (default), json, github (workflow annotations), sarif (2.1.0), markdown (PR summary table)',
    '--since REF         fail drops/renames the release at git REF still reads (its row types and src/)',
  ],
  async run({ config, values, out }) {
    const format = values.json ? 'json' : String(values.format ?? 'text');
    if (!['text', 'json', 'github', 'sarif', 'markdown'].includes(format)) {
      throw new UsageError(`--format takes text, json, github, sarif or markdown, got "${format}"`);
    }
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const since = typeof values.since === 'string' ? { ref: values.since, repoDir: join(MIGRATIONS_DIR, '..') } : null;
    const result = values.offline
      ? await lintMigrations(migrations, { srcDir: SRC_DIR, since })
      : await withDatabaseRaw(config(), 'quickchat migrate lint', (d) =>
          lintMigrations(migrations, { db: d.db, srcDir: SRC_DIR, pendingOnly: Boolean(values.pending), since }),
        );
    if (format === 'json') out(JSON.stringify(result, null, 2));
    else if (format === 'github') for (const line of githubAnnotations(result)) out(line);
    else if (format === 'sarif') out(JSON.stringify(sarifLog(result), null, 2));
    else if (format === 'markdown') out(summaryTable(result));
    else {
      for (const f of result.findings) {
        const tag = f.acknowledged ? `${f.severity}, acknowledged` : f.severity;
        out(`${f.file}:${f.line}  ${f.rule} (${tag}): ${f.message}`);
        out(f.acknowledged ? `    reason: ${f.acknowledged}` : `    → ${f.fix}`);
      }
      out(
        `${result.migrations} migrations: ${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}, ${result.acknowledged} acknowledged (${result.ms} ms)`,
      );
    }
    return result.errors ? 1 : 0;
  },
};

export const migrateVerify: Command = {
  name: 'migrate verify',
  summary: 'On a scratch database: up → down → up for every migration, comparing schema fingerprints; exit 1 on a difference.',
  json: true,
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const result = await withScratchDatabase(config().databaseUrl, (d) =>
      verifyMigrations(d.db, migrations, (v) => {
        if (values.json) return;
        const state = v.irreversible ? `irreversible (${v.irreversible}): down not run` : v.ok ? 'up → down → up ok' : 'MISMATCH';
        out(`${v.ok ? 'ok ' : 'ERR'} ${v.name}  ${state}  schema ${v.fingerprint} (${v.ms} ms)`);
        for (const line of v.diff.slice(0, 20)) out(`      ${line}`);
      }),
    );
    if (values.json) out(JSON.stringify(result, null, 2));
    else out(result.ok ? `All ${migrations.length} migrations round-trip (${result.ms} ms).` : 'Verify failed: see the differences above.');
    return result.ok ? 0 : 1;
  },
};

export const migrateDocs: Command = {
  name: 'migrate docs',
  summary: 'Regenerate migrations/README.md from the migrations and the history table; --check exits 1 if the file is stale.',
  options: { check: { type: 'boolean' }, offline: { type: 'boolean' } },
  optionHelp: [
    '--check             do not write: exit 1 if migrations/README.md is stale (CI)',
    '--offline           no database: leave the history columns empty',
  ],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    if (values.check) {
      const stale = isStale(MIGRATIONS_DIR, await renderDocs(migrations, null));
      out(stale ? 'migrations/README.md is stale: run `quickchat migrate docs` and commit it.' : 'migrations/README.md is up to date.');
      return stale ? 1 : 0;
    }
    const status = values.offline
      ? null
      : await withDatabaseRaw(config(), 'quickchat migrate docs', (d) => migrationStatus(d.db, migrations));
    writeFileSync(docsPath(MIGRATIONS_DIR), await renderDocs(migrations, status));
    out(`Wrote ${docsPath(MIGRATIONS_DIR)}`);
    return 0;
  },
};
