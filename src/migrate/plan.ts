import type { Kysely } from 'kysely';
import { blocksWrites, type LockMode } from './analyze.ts';
import { Catalog } from './catalog.ts';
import { migrationStatus } from './engine.ts';
import type { Direction } from './journal.ts';
import type { Migration } from './load.ts';
import { names } from './parse.ts';
import { buildSteps, type PlannedStatement } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

type Risk = 'low' | 'medium' | 'high';

interface PlanStatement {
  file: string;
  index: number;
  line: number;
  sql: string;
  kind: string;
  transactional: boolean;
  locks: { table: string; mode: LockMode; rows: number | null; newTable: boolean }[];
  rewrites: boolean;
  scans: boolean;
  backup: boolean;
  risk: Risk;
  notes: string[];
}

export interface PlanStep {
  step: number;
  kind: string;
  label: string;
  statements: PlanStatement[];
  backfill?: { table: string; key: string; batchSize: number; rows: number | null; set: string; where: string };
  risk: Risk;
}

export interface MigrationPlan {
  id: number;
  name: string;
  direction: Direction;
  steps: PlanStep[];
  risk: Risk;
}

const RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };
const worst = (risks: Risk[]): Risk => risks.reduce<Risk>((a, b) => (RANK[b] > RANK[a] ? b : a), 'low');

export interface PlanOptions {
  direction?: Direction;
  to?: number;
  backups?: boolean;
}

/**
 * What `up` (or `down`) would run, step by step and statement by statement, with the lock each
 * statement takes, whether it rewrites or scans, the row counts of the target database and a risk.
 * Runs nothing: it reads the catalog and counts rows.
 */
export async function planMigrations(db: AnyDb, migrations: Migration[], opts: PlanOptions = {}): Promise<MigrationPlan[]> {
  const direction = opts.direction ?? 'up';
  const status = await migrationStatus(db, migrations);
  let chosen: Migration[];
  if (direction === 'up') {
    chosen = migrations.filter((m) => {
      const s = status.find((x) => x.id === m.id)?.state;
      return (s === 'pending' || s === 'partial') && (opts.to === undefined || m.id <= opts.to);
    });
  } else {
    const applied = status.filter((s) => s.state === 'applied' || s.state === 'partial').map((s) => s.id);
    const target = opts.to ?? (applied.length >= 2 ? (applied.at(-2) as number) : 0);
    chosen = migrations.filter((m) => applied.includes(m.id) && m.id > target).reverse();
  }
  const catalog = new Catalog(db);
  // Tables created earlier in this plan are new (empty) when later statements reach them.
  const created = new Set<string>();
  const indexTables = new Map<string, string>();
  const out: MigrationPlan[] = [];
  for (const m of chosen) {
    const steps: PlanStep[] = [];
    for (const [i, step] of buildSteps(m, direction, { backups: opts.backups ?? true }).entries()) {
      const statements: PlanStatement[] = [];
      for (const s of step.statements) statements.push(await planStatement(catalog, s, created, indexTables));
      const b = step.backfill;
      const backfill = b
        ? {
            table: b.spec.table,
            key: b.spec.key,
            batchSize: b.spec.batchSize,
            rows: await catalog.rowCount(b.spec.table),
            set: b.spec.set,
            where: b.spec.where,
          }
        : undefined;
      steps.push({
        step: i + 1,
        kind: step.kind,
        label: step.label,
        statements,
        ...(backfill ? { backfill } : {}),
        // A declared backfill holds row locks one short batch at a time.
        risk: worst(statements.map((s) => s.risk)),
      });
    }
    out.push({ id: m.id, name: m.name, direction, steps, risk: worst(steps.map((s) => s.risk)) });
  }
  return out;
}

async function planStatement(
  catalog: Catalog,
  s: PlannedStatement,
  created: Set<string>,
  indexTables: Map<string, string>,
): Promise<PlanStatement> {
  const info = s.info;
  const notes: string[] = [];
  const locks = [...info.locks];
  for (const idx of info.dropsIndexes) {
    const table = indexTables.get(idx) ?? (await catalog.indexTable(idx));
    if (table) locks.push({ table, mode: info.transactional ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE' });
  }
  const planned: PlanStatement['locks'] = [];
  for (const l of locks) {
    const newTable = created.has(l.table);
    planned.push({ ...l, rows: newTable ? 0 : await catalog.rowCount(l.table), newTable });
  }
  let rewrites = info.rewrites;
  let scans = info.scans;
  if (s.parsed.type === 'AlterTableStmt') {
    const table = info.locks[0]?.table ?? '';
    for (const raw of s.parsed.node.cmds ?? []) {
      const cmd = raw.AlterTableCmd;
      if (cmd.subtype === 'AT_AlterColumnType' && !cmd.def?.ColumnDef?.raw_default) {
        const from = (await catalog.columnType(table, cmd.name)) ?? '';
        const to = names(cmd.def?.ColumnDef?.typeName?.names).at(-1) ?? '';
        if (/^(text|character varying)/.test(from) && (to === 'text' || (to === 'varchar' && !cmd.def.ColumnDef.typeName.typmods))) {
          rewrites = false;
          notes.push(`${from} → ${to} is binary compatible: no rewrite`);
        }
      }
      if (cmd.subtype === 'AT_SetNotNull' && (await catalog.hasNotNullCheck(table, cmd.name))) {
        scans = info.rewrites;
        notes.push(`a validated CHECK (${cmd.name} IS NOT NULL) exists: no scan`);
      }
    }
  }
  for (const t of info.createsTables) created.add(t);
  if (info.createsIndex?.name) indexTables.set(info.createsIndex.name, info.createsIndex.table);
  if (!info.transactional) notes.push('runs outside a transaction, as a journaled step');
  if (info.unknown) notes.push('the engine cannot tell which locks this statement takes');
  if (info.unbackedDestruction) notes.push(`no backup possible: ${info.unbackedDestruction}`);
  const risk = riskOf(
    planned,
    rewrites,
    scans,
    s.backup,
    info.destroys.length > 0,
    Boolean(info.unbackedDestruction),
    info.unknown,
    s.parsed.type,
  );
  return {
    file: s.file,
    index: s.index,
    line: s.line,
    sql: s.sql,
    kind: info.kind,
    transactional: info.transactional,
    locks: planned,
    rewrites,
    scans,
    backup: s.backup,
    risk,
    notes,
  };
}

/**
 * high: a lock that stops writes held through a scan or rewrite of a populated table, or data
 * destroyed without a backup. medium: a brief ACCESS EXCLUSIVE on a populated table (bounded by
 * lock_timeout), a destructive statement with a backup, a DML scan of a populated table, or a
 * statement the engine cannot analyse. low: the rest (new or empty tables, non-blocking locks).
 */
function riskOf(
  locks: PlanStatement['locks'],
  rewrites: boolean,
  scans: boolean,
  backup: boolean,
  destroys: boolean,
  unbacked: boolean,
  unknown: boolean,
  type: string,
): Risk {
  const populated = locks.filter((l) => !l.newTable && (l.rows ?? 0) > 0);
  if (unbacked || (destroys && !backup && populated.length)) return 'high';
  if ((rewrites || scans) && populated.some((l) => blocksWrites(l.mode))) return 'high';
  if (unknown || (destroys && populated.length)) return 'medium';
  if (populated.some((l) => l.mode === 'ACCESS EXCLUSIVE')) return 'medium';
  if ((type === 'UpdateStmt' || type === 'DeleteStmt') && populated.length) return 'medium';
  return 'low';
}
