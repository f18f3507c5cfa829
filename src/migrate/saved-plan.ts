import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { openPglite } from './database.ts';
import { snapshotHash, snapshotLines } from './drift.ts';
import { migrateUp } from './engine.ts';
import { MigrationError } from './errors.ts';
import { readHistory } from './history.ts';
import type { Migration } from './load.ts';
import { type MigrationPlan, type PlanStep, planMigrations } from './plan.ts';
import { snapshotSchema } from './snapshot.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

interface TargetIdentity {
  database: string;
  /** pg_control_system(): the cluster's identifier (the same for every database of one server). */
  systemIdentifier: string | null;
  serverVersion: string;
}

interface SavedMigration {
  id: number;
  name: string;
  hash: string;
  /** SHA-256 of each file, so a refusal can name the one that changed. */
  files: Record<string, string>;
  steps: PlanStep[];
  /** Snapshot hash of the application schema once this migration is applied. */
  schemaAfter: string;
  risk: MigrationPlan['risk'];
}

export interface SavedPlan {
  format: 'quickchat-migrate-plan/1';
  createdAt: string;
  target: TargetIdentity;
  history: { id: number; name: string; hash: string; chain: string }[];
  /** The live schema the plan was made against: its hash and one line per object. */
  schemaBefore: { hash: string; lines: string[] };
  backups: boolean;
  migrations: SavedMigration[];
}

const FILES = ['up.sql', 'down.sql', 'backfill.yaml'];
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function fileHashes(m: Migration): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FILES) if (existsSync(join(m.dir, f))) out[f] = sha(readFileSync(join(m.dir, f), 'utf8'));
  return out;
}

async function targetIdentity(db: AnyDb): Promise<TargetIdentity> {
  const r = await sql<{ db: string; v: string }>`SELECT current_database() AS db, current_setting('server_version') AS v`.execute(db);
  let sid: string | null = null;
  try {
    sid = (await sql<{ s: string }>`SELECT system_identifier::text AS s FROM pg_control_system()`.execute(db)).rows[0]?.s ?? null;
  } catch {
    // Needs pg_monitor (or superuser) on PostgreSQL: the database name and version still identify it.
  }
  return { database: r.rows[0]?.db ?? '', systemIdentifier: sid, serverVersion: r.rows[0]?.v ?? '' };
}

/**
 * Plans `up` (to `to`) and records what the plan assumed: the database, its history, the live
 * schema, each file, and the schema each migration should leave (built on a scratch PGlite).
 */
export async function savePlan(db: AnyDb, migrations: Migration[], opts: { to?: number; backups?: boolean } = {}): Promise<SavedPlan> {
  const backups = opts.backups ?? true;
  const plans = await planMigrations(db, migrations, { direction: 'up', backups, ...(opts.to !== undefined ? { to: opts.to } : {}) });
  const history = await readHistory(db);
  const live = await snapshotSchema(db);
  const byId = new Map(migrations.map((m) => [m.id, m]));
  const scratch = await openPglite(undefined);
  const saved: SavedMigration[] = [];
  try {
    const applied = new Set(history.map((h) => h.id));
    const before = migrations.filter((m) => applied.has(m.id));
    if (before.length) await migrateUp(scratch.db, before, { backups: false });
    for (const p of plans) {
      const m = byId.get(p.id) as Migration;
      await migrateUp(scratch.db, [...before, ...saved.map((s) => byId.get(s.id) as Migration), m], { backups: false });
      saved.push({
        id: m.id,
        name: m.name,
        hash: m.hash,
        files: fileHashes(m),
        steps: p.steps,
        schemaAfter: snapshotHash(await snapshotSchema(scratch.db)),
        risk: p.risk,
      });
    }
  } finally {
    await scratch.close();
  }
  return {
    format: 'quickchat-migrate-plan/1',
    createdAt: new Date().toISOString(),
    target: await targetIdentity(db),
    history: history.map((h) => ({ id: h.id, name: h.name, hash: h.hash, chain: h.chain_hash })),
    schemaBefore: { hash: snapshotHash(live), lines: snapshotLines(live) },
    backups,
    migrations: saved,
  };
}

export function parsePlan(text: string, file: string): SavedPlan {
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    throw new MigrationError(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (plan?.format !== 'quickchat-migrate-plan/1') throw new MigrationError(`${file} is not a plan written by migrate plan --out`);
  return plan;
}

/** Every way the database or the files differ from what the plan saw, one sentence each. */
async function planChanges(conn: AnyDb, plan: SavedPlan, migrations: Migration[]): Promise<string[]> {
  const out: string[] = [];
  const target = await targetIdentity(conn);
  if (target.database !== plan.target.database || target.systemIdentifier !== plan.target.systemIdentifier) {
    out.push(
      `target: the plan was made for database "${plan.target.database}" (system ${plan.target.systemIdentifier ?? '?'}), this is "${target.database}" (system ${target.systemIdentifier ?? '?'})`,
    );
  }
  const history = await readHistory(conn);
  const n = Math.max(history.length, plan.history.length);
  for (let i = 0; i < n; i++) {
    const h = history[i];
    const p = plan.history[i];
    if (!h) out.push(`history: ${p?.name} was applied when the plan was made and is not any more (rolled back)`);
    else if (!p) out.push(`history: ${h.name} was applied after the plan was made`);
    else if (h.name !== p.name || h.hash !== p.hash || h.chain_hash !== p.chain) {
      out.push(
        `history: record ${i + 1} was ${p.name} (chain ${p.chain.slice(0, 12)}), is now ${h.name} (chain ${h.chain_hash.slice(0, 12)})`,
      );
    }
  }
  const byId = new Map(migrations.map((m) => [m.id, m]));
  const planned = new Set(plan.migrations.map((m) => m.id));
  const last = plan.migrations.at(-1)?.id ?? 0;
  const applied = new Set(history.map((h) => h.id));
  for (const m of migrations) {
    if (m.id <= last && !planned.has(m.id) && !applied.has(m.id)) out.push(`files: ${m.name} is new since the plan was made`);
  }
  for (const pm of plan.migrations) {
    const m = byId.get(pm.id);
    if (!m) {
      out.push(`files: ${pm.name} is no longer in migrations/`);
      continue;
    }
    const now = fileHashes(m);
    for (const f of new Set([...Object.keys(now), ...Object.keys(pm.files)])) {
      if (now[f] !== pm.files[f]) {
        const how = !now[f]
          ? 'was deleted'
          : !pm.files[f]
            ? 'was added'
            : `changed (${pm.files[f]?.slice(0, 12)} → ${now[f].slice(0, 12)})`;
        out.push(`files: migrations/${m.name}/${f} ${how} since the plan was made`);
      }
    }
  }
  const objects = await snapshotSchema(conn);
  const live = snapshotLines(objects);
  if (snapshotHash(objects) !== plan.schemaBefore.hash) {
    const was = new Set(plan.schemaBefore.lines);
    const is = new Set(live);
    const diff = [
      ...plan.schemaBefore.lines.filter((l) => !is.has(l)).map((l) => `- ${l}`),
      ...live.filter((l) => !was.has(l)).map((l) => `+ ${l}`),
    ];
    out.push(`live schema changed since the plan was made: ${diff.slice(0, 20).join(', ')}`);
  }
  return out;
}

/**
 * `up --plan`: applies exactly the planned migrations, and only if nothing the plan saw changed;
 * after each migration the live schema must be the one the plan expected.
 */
export async function applyPlan(db: AnyDb, plan: SavedPlan, migrations: Migration[], opts: Parameters<typeof migrateUp>[2] = {}) {
  if (!plan.migrations.length) return { applied: [], rolledBack: [], reports: [] };
  const expected = new Map(plan.migrations.map((m) => [m.id, m.schemaAfter]));
  return migrateUp(db, migrations, {
    ...opts,
    backups: plan.backups,
    to: plan.migrations.at(-1)?.id as number,
    guard: async (conn) => {
      const changes = await planChanges(conn, plan, migrations);
      if (changes.length) {
        throw new MigrationError(
          `The plan no longer matches, nothing was applied: ${changes.join('; ')}. Make a new plan (migrate plan --out).`,
        );
      }
      await opts?.guard?.(conn);
    },
    afterMigration: async (conn, m) => {
      const now = await snapshotSchema(conn);
      if (snapshotHash(now) !== expected.get(m.id)) {
        throw new MigrationError(
          `${m.name} left schema ${snapshotHash(now).slice(0, 12)}, the plan expected ${expected.get(m.id)?.slice(0, 12)}: stopped after it (see migrate drift).`,
        );
      }
      await opts?.afterMigration?.(conn, m);
    },
  });
}

/** A plan as a pull-request comment: one table per migration, one row per statement. */
export function planMarkdown(plan: SavedPlan): string {
  const lines = [
    `### Migration plan for \`${plan.target.database}\` (PostgreSQL ${plan.target.serverVersion})`,
    '',
    `${plan.history.length} applied, ${plan.migrations.length} to apply; schema before \`${plan.schemaBefore.hash.slice(0, 12)}\`.`,
  ];
  for (const m of plan.migrations) {
    lines.push('', `#### ${m.name} — risk **${m.risk}**, schema after \`${m.schemaAfter.slice(0, 12)}\``, '');
    lines.push('| step | statement | locks | rows | rewrite / scan | risk |', '|---|---|---|---|---|---|');
    for (const s of m.steps) {
      if (s.backfill) {
        lines.push(
          `| ${s.step} | backfill \`${s.backfill.table}\` by \`${s.backfill.key}\` | row locks per batch | ${s.backfill.rows ?? '?'} | batched | ${s.risk} |`,
        );
      }
      for (const st of s.statements) {
        const sqlText = st.sql.split('\n')[0]?.replaceAll('|', '\\|');
        const locks = st.locks.map((l) => `${l.mode} ${l.table}`).join(', ') || '—';
        const rows = st.locks.map((l) => (l.newTable ? 'new' : (l.rows ?? '?'))).join(', ') || '—';
        const work = [st.rewrites ? 'rewrite' : '', st.scans ? 'scan' : ''].filter(Boolean).join(' + ') || 'catalog only';
        lines.push(`| ${s.step} | \`${st.file}:${st.line}\` \`${sqlText}\` | ${locks} | ${rows} | ${work} | ${st.risk} |`);
      }
    }
  }
  return lines.join('\n');
}
