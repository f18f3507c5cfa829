import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { runBackfill } from './backfill.ts';
import { takeBackup } from './backup.ts';
import { checkPoints, runChecks } from './checks.ts';
import { runOutsideTransaction } from './concurrent.ts';
import { MigrationError } from './errors.ts';
import { type Direction, type JournalRow, markStep } from './journal.ts';
import type { Migration } from './load.ts';
import {
  describeBlockers,
  type HeldLock,
  indexTables,
  isLockTimeout,
  setLocalTimeouts,
  sqlState,
  takeLocks,
  withLockRetry,
} from './locks.ts';
import { type RunContext, statementError } from './run-context.ts';
import type { PlannedStatement, Step } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

interface StatementReport {
  index: number;
  file: string;
  kind: string;
  lockWaitMs: number;
  /** Locks this statement took, held until its transaction committed. */
  holds: { table: string; mode: string; ms: number }[];
  backups: number[];
  /** Undo of a half-applied migration: why the statement was skipped. */
  skipped?: string;
}

interface StepReport {
  step: number;
  kind: string;
  label: string;
  attempts: number;
  ms: number;
  statements: StatementReport[];
  backfill?: { table: string; scanned: number; updated: number; batches: number; maxBatchMs: number };
}

export interface MigrationReport {
  name: string;
  direction: Direction;
  ms: number;
  steps: StepReport[];
  /** Longest wait for a lock of any statement. */
  lockWaitMs: number;
  /** Longest ACCESS EXCLUSIVE hold of any statement. */
  accessExclusiveMs: number;
  rowsBackfilled: number;
}

/** Errors that mean "the object is not there": an undo of a half-applied migration skips those statements. */
const MISSING_OBJECT = new Set(['42P01', '42703', '42704', '42883', '3F000']);

/**
 * Runs a migration's steps in one direction, skipping those the journal records as done.
 * `finish` runs inside the last transaction (records the migration applied or rolled back and
 * clears its journal), so a migration is never recorded without its last step, nor the reverse.
 */
export async function runSteps(
  ctx: RunContext,
  m: Migration,
  direction: Direction,
  steps: Step[],
  journal: JournalRow[],
  undo: boolean,
  finish: (trx: AnyDb, report: MigrationReport) => Promise<void>,
): Promise<MigrationReport> {
  const started = performance.now();
  const report: MigrationReport = { name: m.name, direction, ms: 0, steps: [], lockWaitMs: 0, accessExclusiveMs: 0, rowsBackfilled: 0 };
  const total = steps.length;
  const mark = (db: AnyDb, i: number, step: Step, status: 'running' | 'done', detail?: unknown) =>
    markStep(db, {
      migrationId: m.id,
      name: m.name,
      hash: m.hash,
      direction,
      step: i + 1,
      steps: total,
      kind: step.kind,
      label: step.label,
      status,
      undo,
      detail,
    });
  const emit = (phase: 'start' | 'done' | 'skip', i: number, step: Step) =>
    ctx.onEvent?.({ type: 'step', phase, migration: m.name, direction, step: i + 1, steps: total, kind: step.kind, label: step.label });
  const lastTx = total > 0 && steps[total - 1]?.kind === 'tx' ? total - 1 : -1;
  const checks = direction === 'up' && !undo ? checkPoints(steps, m.checks) : new Map();
  const done = (i: number) => journal.some((j) => j.direction === direction && j.step === i + 1 && j.status === 'done');
  const after = checks.get(total) ?? [];
  const finishChecked = async (trx: AnyDb, r: MigrationReport) => {
    await runChecks(trx, m.name, after, `step ${total} (rolled back)`);
    await finish(trx, r);
  };

  for (const [i, step] of steps.entries()) {
    if (done(i)) {
      emit('skip', i, step);
      continue;
    }
    const due = checks.get(i);
    if (due) await runChecks(ctx.conn, m.name, due, i === 0 ? 'nothing of the migration ran' : `step ${i} of ${total}`);
    emit('start', i, step);
    const t0 = performance.now();
    let stepReport: StepReport;
    if (step.kind === 'tx') {
      stepReport = await runTxStep(ctx, m, direction, step, i, undo, (trx, r) =>
        i === lastTx ? finishChecked(trx, report) : mark(trx, i, step, 'done', summary(r)),
      );
    } else {
      await mark(ctx.conn, i, step, 'running');
      if (step.kind === 'concurrent') {
        const s = step.statements[0] as PlannedStatement;
        ctx.onEvent?.({ type: 'statement', migration: m.name, file: s.file, index: s.index, sql: s.sql });
        const resuming = journal.some((j) => j.direction === direction && j.step === i + 1 && j.status === 'running');
        const { attempts, skipped } = await runOutsideTransaction(ctx, m, s, undo, resuming);
        stepReport = { step: i + 1, kind: step.kind, label: step.label, attempts, ms: 0, statements: [statementReport(s, 0, [], skipped)] };
      } else {
        const b = step.backfill as NonNullable<Step['backfill']>;
        const r = await runBackfill(ctx.conn, m, b.no, b.spec, ctx);
        stepReport = { step: i + 1, kind: step.kind, label: step.label, attempts: 1, ms: 0, statements: [], backfill: r };
        report.rowsBackfilled += r.updated;
      }
      stepReport.ms = Math.round(performance.now() - t0);
      await mark(ctx.conn, i, step, 'done', summary(stepReport));
    }
    addStep(report, stepReport, started);
    emit('done', i, step);
  }
  if (lastTx === -1) {
    // The last step ran outside a transaction (or there were none): record in a transaction of its own.
    report.ms = Math.round(performance.now() - started);
    await ctx.conn.transaction().execute((trx) => finishChecked(trx, report));
  }
  return report;
}

function addStep(report: MigrationReport, r: StepReport, started: number): void {
  report.steps.push(r);
  for (const s of r.statements) {
    report.lockWaitMs = Math.max(report.lockWaitMs, s.lockWaitMs);
    for (const h of s.holds) if (h.mode === 'ACCESS EXCLUSIVE') report.accessExclusiveMs = Math.max(report.accessExclusiveMs, h.ms);
  }
  report.ms = Math.round(performance.now() - started);
}

function summary(r: StepReport): unknown {
  return { attempts: r.attempts, ms: r.ms, backfill: r.backfill ?? null, statements: r.statements.length };
}

function statementReport(s: PlannedStatement, waitMs: number, backups: number[], skipped?: string): StatementReport {
  return {
    index: s.index,
    file: s.file,
    kind: s.info.kind,
    lockWaitMs: Math.round(waitMs),
    holds: [],
    backups,
    ...(skipped ? { skipped } : {}),
  };
}

async function runTxStep(
  ctx: RunContext,
  m: Migration,
  direction: Direction,
  step: Step,
  i: number,
  undo: boolean,
  atEnd: (trx: AnyDb, r: StepReport) => Promise<void>,
): Promise<StepReport> {
  const t0 = performance.now();
  const { value, attempts } = await lockFailure(ctx, m, step, () =>
    withLockRetry(
      ctx.settings,
      async (attempt) => {
        const held: HeldLock[] = [];
        const r: StepReport = { step: i + 1, kind: 'tx', label: step.label, attempts: attempt, ms: 0, statements: [] };
        await ctx.conn.transaction().execute(async (trx) => {
          await setLocalTimeouts(trx, ctx.settings);
          // Backups first, before any strong lock is taken: the copy needs only ACCESS SHARE.
          const backups = new Map<number, number[]>();
          for (const s of step.statements.filter((x) => x.backup)) {
            for (const d of s.info.destroys) {
              const rec = await takeBackup(
                trx,
                { migrationId: m.id, migrationName: m.name, direction, statementNo: s.index, statement: s.sql },
                d,
              );
              if (!rec) continue;
              backups.set(s.index, [...(backups.get(s.index) ?? []), Number(rec.id)]);
              ctx.onEvent?.({ type: 'backup', migration: m.name, id: Number(rec.id), table: rec.table_name, rows: Number(rec.row_count) });
            }
          }
          for (const s of step.statements) {
            const locks = [...s.info.locks, ...(s.info.dropsIndexes.length ? await indexTables(trx, s.info.dropsIndexes) : [])];
            const waitMs = await takeLocks(trx, locks, s.index, held);
            ctx.onEvent?.({ type: 'statement', migration: m.name, file: s.file, index: s.index, sql: s.sql });
            const skipped = await execute(trx, m, s, undo);
            if (skipped) ctx.onEvent?.({ type: 'skipped', migration: m.name, statement: s.index, reason: skipped });
            r.statements.push(statementReport(s, waitMs, backups.get(s.index) ?? [], skipped));
          }
          r.ms = Math.round(performance.now() - t0);
          await atEnd(trx, r);
        });
        // Every lock is held until the commit: that is the hold the application felt.
        const committedAt = performance.now();
        for (const h of held) {
          r.statements
            .find((s) => s.index === h.statement)
            ?.holds.push({ table: h.table, mode: h.mode, ms: Math.round(committedAt - h.acquiredAt) });
        }
        return r;
      },
      (attempt, delayMs, err) =>
        ctx.onEvent?.({ type: 'lock-retry', migration: m.name, what: step.label, attempt, delayMs, error: err.message }),
    ),
  );
  value.attempts = attempts;
  value.ms = Math.round(performance.now() - t0);
  return value;
}

/** A step that never got its locks: say which, for how long, and who holds them. */
async function lockFailure<T>(ctx: RunContext, m: Migration, step: Step, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isLockTimeout(err)) throw err;
    const tables = [...new Set(step.statements.flatMap((s) => s.info.locks.map((l) => l.table)))];
    const blockers = await describeBlockers(ctx.conn, tables);
    throw new MigrationError(
      `${m.name} ${step.label}: lock timeout: ${(err as Error).message}${blockers ? `; held by ${blockers}` : ''}. Nothing of this step was applied; run migrate up again.`,
      { cause: err },
    );
  }
}

/** Runs one statement; in an undo, a statement on an object that does not exist is skipped (savepoint). */
async function execute(trx: AnyDb, m: Migration, s: PlannedStatement, undo: boolean): Promise<string | undefined> {
  if (undo) await sql.raw('SAVEPOINT migrate_undo').execute(trx);
  try {
    await sql.raw(s.sql).execute(trx);
    if (undo) await sql.raw('RELEASE SAVEPOINT migrate_undo').execute(trx);
    return undefined;
  } catch (err) {
    if (undo && MISSING_OBJECT.has(sqlState(err) ?? '')) {
      await sql.raw('ROLLBACK TO SAVEPOINT migrate_undo').execute(trx);
      return (err as Error).message;
    }
    throw statementError(m, s, err);
  }
}
