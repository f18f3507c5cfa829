import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { analyzeStatement } from '../analyze.ts';
import { calledFunctions, VOLATILE_FUNCTIONS } from '../analyze-alter.ts';
import { Catalog } from '../catalog.ts';
import { migrationStatus } from '../engine.ts';
import type { Migration } from '../load.ts';
import { type Node, type ParsedStatement, relName } from '../parse.ts';
import { type Finding, RULES, type RuleId } from './catalogue.ts';
import { compatFindings, loadPreviousRelease, newSince, type PreviousRelease } from './compat.ts';
import { probeStatement } from './probes.ts';
import { checkStatement, type RawFinding, type StatementContext } from './rules.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export { type Finding, RULES } from './catalogue.ts';

export interface LintOptions {
  /** The target database, for the data-aware probes (pending migrations only). */
  db?: AnyDb | null;
  /** The app's sources, searched for dropped columns still in use; null skips the search. */
  srcDir?: string | null;
  /** Lint only migrations not yet applied to `db`. */
  pendingOnly?: boolean;
  /** Backward compatibility: the previous release at this git ref of `repoDir` (its row types and sources). */
  since?: { ref: string; repoDir: string } | null;
}

export interface LintResult {
  findings: Finding[];
  /** Unacknowledged errors: lint fails when there is one. */
  errors: number;
  warnings: number;
  acknowledged: number;
  migrations: number;
  ms: number;
}

/** Lints migrations (all of them, in order: each sees which earlier ones deprecated what). */
export async function lintMigrations(all: Migration[], opts: LintOptions = {}): Promise<LintResult> {
  const started = performance.now();
  const db = opts.db ?? null;
  const catalog = db ? new Catalog(db) : null;
  const pending = new Set<number>();
  if (db) for (const s of await migrationStatus(db, all)) if (s.state === 'pending' || s.state === 'partial') pending.add(s.id);
  const prev = opts.since ? loadPreviousRelease(opts.since.repoDir, opts.since.ref) : null;
  const added = prev ? newSince(all, prev) : new Set<number>();
  const findings: Finding[] = [];
  let linted = 0;
  for (const m of all) {
    if (opts.pendingOnly && !pending.has(m.id)) continue;
    linted++;
    const earlier = all.filter((e) => e.id < m.id);
    findings.push(
      ...(await lintOne(m, earlier, opts.srcDir ?? null, pending.has(m.id) ? catalog : null, catalog, added.has(m.id) ? prev : null)),
    );
  }
  const open = findings.filter((f) => !f.acknowledged);
  return {
    findings,
    errors: open.filter((f) => f.severity === 'error').length,
    warnings: open.filter((f) => f.severity === 'warning').length,
    acknowledged: findings.length - open.length,
    migrations: linted,
    ms: Math.round(performance.now() - started),
  };
}

async function lintOne(
  m: Migration,
  earlier: Migration[],
  srcDir: string | null,
  probes: Catalog | null,
  catalog: Catalog | null,
  prev: PreviousRelease | null,
): Promise<Finding[]> {
  const createdHere = new Set<string>();
  const indexesHere = new Set<string>();
  for (const s of m.up) {
    if (s.type === 'CreateStmt') createdHere.add(relName(s.node.relation));
    if (s.type === 'CreateTableAsStmt') createdHere.add(relName(s.node.into?.rel));
    if (s.type === 'IndexStmt' && s.node.idxname) indexesHere.add(s.node.idxname);
  }
  const ctx: StatementContext = { m, earlier, createdHere, indexesHere, notNullChecks: new Set(), volatile: new Set(), srcDir };
  if (catalog) await learnFromCatalog(m.up, ctx, catalog);
  const raw: { f: RawFinding; s: ParsedStatement | null; file: string }[] = [];
  for (const s of m.up) {
    for (const f of checkStatement(s, ctx)) raw.push({ f, s, file: 'up.sql' });
    const info = analyzeStatement(s);
    if (info.unbackedDestruction)
      raw.push({
        f: { rule: 'destructive-without-backup', message: `${info.unbackedDestruction}: the engine cannot back it up.` },
        s,
        file: 'up.sql',
      });
    else if (info.destroys.length && !m.meta.backup && !info.destroys.every((d) => createdHere.has(d.table))) {
      raw.push({
        f: {
          rule: 'destructive-without-backup',
          message: `${info.kind} destroys data and the front matter turns backups off (backup: false).`,
        },
        s,
        file: 'up.sql',
      });
    }
    if (probes) for (const f of await probeStatement(s, probes, createdHere)) raw.push({ f, s, file: 'up.sql' });
    if (prev) for (const f of compatFindings(s, prev)) raw.push({ f, s, file: 'up.sql' });
    noteNotNullCheck(s, ctx);
  }
  for (const s of m.down) {
    if (s.type === 'TransactionStmt')
      raw.push({ f: { rule: 'transaction-control', message: 'BEGIN/COMMIT/ROLLBACK in down.sql.' }, s, file: 'down.sql' });
  }
  if (!m.down.length && !m.irreversible) {
    raw.push({
      f: { rule: 'missing-rollback', message: 'down.sql has no statement and no "-- irreversible: <reason>" line.' },
      s: null,
      file: 'down.sql',
    });
  }
  const nonTx = m.up.filter((s) => !analyzeStatement(s).transactional);
  if (nonTx.length && m.up.length + m.backfills.length > 1) {
    raw.push({
      f: {
        rule: 'non-transactional-mix',
        message: `Statement ${nonTx.map((s) => s.index).join(', ')} cannot run in a transaction: the migration is applied in several steps, not atomically.`,
      },
      s: nonTx[0] ?? null,
      file: 'up.sql',
    });
  }
  const used = new Set<number>();
  const out = raw.map(({ f, s, file }): Finding => {
    const ackIndex = m.meta.acknowledge.findIndex((a) => a.rule === f.rule && (a.statement === undefined || a.statement === s?.index));
    if (ackIndex >= 0) used.add(ackIndex);
    const rule = RULES[f.rule];
    return {
      migration: m.name,
      file: `migrations/${m.name}/${file}`,
      line: s?.line ?? 1,
      statement: s?.index ?? null,
      rule: f.rule,
      severity: rule.severity,
      message: f.message,
      fix: rule.fix,
      acknowledged: ackIndex >= 0 ? (m.meta.acknowledge[ackIndex]?.reason ?? null) : null,
    };
  });
  m.meta.acknowledge.forEach((a, i) => {
    if (used.has(i)) return;
    const known = a.rule in RULES;
    out.push({
      migration: m.name,
      file: `migrations/${m.name}/README.md`,
      line: 1,
      statement: a.statement ?? null,
      rule: 'unused-acknowledgement' as RuleId,
      severity: 'warning',
      message: known
        ? `Acknowledges ${a.rule}${a.statement ? ` at statement ${a.statement}` : ''}, which is not flagged.`
        : `Acknowledges unknown rule "${a.rule}".`,
      fix: RULES['unused-acknowledgement'].fix,
      acknowledged: null,
    });
  });
  return out;
}

/** What the target database already knows: validated NOT NULL checks, volatile functions. */
async function learnFromCatalog(up: ParsedStatement[], ctx: StatementContext, catalog: Catalog): Promise<void> {
  for (const s of up) {
    if (s.type !== 'AlterTableStmt') continue;
    const table = relName(s.node.relation);
    for (const raw of s.node.cmds ?? []) {
      const cmd = raw.AlterTableCmd as Node;
      if (cmd.subtype === 'AT_SetNotNull' && (await catalog.hasNotNullCheck(table, cmd.name)))
        ctx.notNullChecks.add(`${table}.${cmd.name}`);
      if (cmd.subtype === 'AT_AddColumn') {
        for (const fn of calledFunctions(cmd.def)) {
          if (!VOLATILE_FUNCTIONS.has(fn) && (await catalog.volatility(fn)) === 'v') ctx.volatile.add(fn);
        }
      }
    }
  }
}

/** ADD CONSTRAINT … CHECK (col IS NOT NULL) earlier in the migration makes a later SET NOT NULL cheap. */
function noteNotNullCheck(s: ParsedStatement, ctx: StatementContext): void {
  if (s.type !== 'AlterTableStmt') return;
  const table = relName(s.node.relation);
  for (const raw of s.node.cmds ?? []) {
    const c = raw.AlterTableCmd?.def?.Constraint as Node | undefined;
    const test = c?.contype === 'CONSTR_CHECK' ? c.raw_expr?.NullTest : null;
    const col = test?.nulltesttype === 'IS_NOT_NULL' ? test.arg?.ColumnRef?.fields?.at(-1)?.String?.sval : null;
    if (col) ctx.notNullChecks.add(`${table}.${col}`);
  }
}
