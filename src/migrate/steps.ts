import { analyzeStatement, type StatementInfo } from './analyze.ts';
import type { BackfillSpec } from './backfill-spec.ts';
import type { Direction, StepKind } from './journal.ts';
import type { Migration } from './load.ts';
import type { ParsedStatement } from './parse.ts';

export interface PlannedStatement {
  /** 1-based number in its file. */
  index: number;
  file: 'up.sql' | 'down.sql';
  line: number;
  sql: string;
  parsed: ParsedStatement;
  info: StatementInfo;
  /** The engine copies what this statement destroys into migration_backup first. */
  backup: boolean;
}

export interface Step {
  kind: StepKind;
  label: string;
  /** tx: run in one transaction; concurrent: exactly one statement, outside any transaction. */
  statements: PlannedStatement[];
  backfill?: { no: number; spec: BackfillSpec };
}

export interface StepOptions {
  /** Take backups before destructive statements (unless the migration's front matter says backup: false). */
  backups: boolean;
}

/**
 * A migration as the engine runs it: a sequence of steps. Statements run together in one
 * transaction, except that a statement PostgreSQL refuses in a transaction (… CONCURRENTLY) is a
 * step of its own, a VALIDATE CONSTRAINT of a constraint added NOT VALID in the same transaction
 * starts a new one (so its scan does not run under the ADD's ACCESS EXCLUSIVE lock), and each
 * declared backfill is a step. `plan` shows exactly these steps and `up`/`down` run exactly them.
 */
export function buildSteps(m: Migration, direction: Direction, opts: StepOptions): Step[] {
  const file = direction === 'up' ? 'up.sql' : 'down.sql';
  const statements = (direction === 'up' ? m.up : m.down).map((parsed): PlannedStatement => {
    const info = analyzeStatement(parsed);
    return {
      index: parsed.index,
      file,
      line: parsed.line,
      sql: parsed.sql,
      parsed,
      info,
      backup: opts.backups && m.meta.backup && info.destroys.length > 0,
    };
  });
  const sqlSteps: Step[] = [];
  let tx: PlannedStatement[] = [];
  let notValidInTx = new Set<string>();
  const flush = () => {
    if (tx.length) sqlSteps.push({ kind: 'tx', label: txLabel(file, tx), statements: tx });
    tx = [];
    notValidInTx = new Set();
  };
  for (const s of statements) {
    if (!s.info.transactional) {
      flush();
      sqlSteps.push({ kind: 'concurrent', label: `${file} statement ${s.index} (${s.info.kind}, outside a transaction)`, statements: [s] });
      continue;
    }
    if (s.info.validates.some((c) => notValidInTx.has(c))) flush();
    tx.push(s);
    for (const c of s.info.addsNotValid) notValidInTx.add(c);
  }
  flush();
  if (direction === 'down') return sqlSteps;
  const backfill = (run: 'before' | 'after'): Step[] =>
    m.backfills
      .map((spec, i) => ({ spec, no: i + 1 }))
      .filter((b) => b.spec.run === run)
      .map((b) => ({
        kind: 'backfill' as const,
        label: `backfill ${b.spec.table} (batches of ${b.spec.batchSize} by ${b.spec.key})`,
        statements: [],
        backfill: b,
      }));
  return [...backfill('before'), ...sqlSteps, ...backfill('after')];
}

function txLabel(file: string, tx: PlannedStatement[]): string {
  const first = tx[0]?.index;
  const last = tx.at(-1)?.index;
  return first === last ? `${file} statement ${first}` : `${file} statements ${first}–${last}`;
}
