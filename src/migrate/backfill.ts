import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import type { BackfillSpec } from './backfill-spec.ts';
import type { EngineEvent } from './events.ts';
import { type LockSettings, withLockRetry } from './locks.ts';
import { quoteIdent } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface BackfillOptions {
  settings: LockSettings;
  /** Each batch should take about this long; the batch size adapts to it (row locks are held per batch). 0: fixed size. */
  targetBatchMs: number;
  /** Steer batches to index lookups (default); false leaves the join strategy to the planner. */
  indexLookups?: boolean;
  onEvent?: (e: EngineEvent) => void;
}

export interface BackfillResult {
  table: string;
  scanned: number;
  updated: number;
  batches: number;
  ms: number;
  /** Longest single batch, i.e. the longest time a row lock was held. */
  maxBatchMs: number;
}

const MAX_BATCH = 200_000;
const MIN_BATCH = 100;

/**
 * Proportional: the size the last batch's rate says fits the target, aiming a little under it
 * (0.8×) so that ordinary jitter stays below; growth is capped at 2× a batch so that one fast
 * batch (a cached range) cannot make the next one overshoot by much.
 */
function nextSize(size: number, batchMs: number, targetMs: number): number {
  const ideal = (size * targetMs * 0.8) / Math.max(batchMs, 1);
  return Math.round(Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.min(size * 2, Math.max(size / 4, ideal)))));
}

/**
 * One keyset batch as a single statement: the key range of the next `size` keys after `after`
 * (an index-only scan), the UPDATE of that range where the condition still holds (an index range
 * scan, no join), and the checkpoint moved in the same transaction.
 */
function batchQuery(spec: BackfillSpec, migrationId: number, no: number, after: string | null, size: number) {
  const t = sql.raw(quoteIdent(spec.table));
  const k = sql.raw(quoteIdent(spec.key));
  const from = after === null ? sql`` : sql`WHERE ${k} > ${after}`;
  const lower = after === null ? sql`` : sql`${t}.${k} > ${after} AND`;
  return sql<{ last_key: string | null; scanned: number; updated: number }>`
    WITH __backfill_range AS (
      SELECT max(__backfill_key) AS hi, count(*)::int AS n
      FROM (SELECT ${k} AS __backfill_key FROM ${t} ${from} ORDER BY ${k} LIMIT ${size}) __backfill_keys
    ), __backfill_updated AS (
      UPDATE ${t} SET ${sql.raw(spec.set)} ${spec.from ? sql.raw(`FROM ${spec.from}`) : sql``}
      WHERE ${lower} ${t}.${k} <= (SELECT hi FROM __backfill_range) AND (${sql.raw(spec.where)})
      RETURNING 1
    ), __backfill_counts AS (
      SELECT (SELECT hi FROM __backfill_range)::text AS last_key, (SELECT n FROM __backfill_range) AS scanned,
             (SELECT count(*) FROM __backfill_updated)::int AS updated
    ), __backfill_checkpoint AS (
      UPDATE migration_engine.backfills b
      SET last_key = coalesce(c.last_key, b.last_key), rows_scanned = b.rows_scanned + c.scanned, rows_updated = b.rows_updated + c.updated,
          batches = b.batches + (CASE WHEN c.scanned > 0 THEN 1 ELSE 0 END), updated_at = now(),
          finished_at = CASE WHEN c.scanned < ${size} THEN now() END
      FROM __backfill_counts c
      WHERE b.migration_id = ${migrationId} AND b.backfill_no = ${no}
      RETURNING 1
    )
    SELECT last_key, scanned, updated FROM __backfill_counts WHERE (SELECT count(*) FROM __backfill_checkpoint) >= 0`;
}

/**
 * Runs a declared backfill in keyset batches, each its own short transaction that also moves the
 * checkpoint: a killed run resumes after the last committed batch and repeats at most the one that
 * was in flight. Re-running a finished backfill changes nothing (its `where` no longer matches).
 */
export async function runBackfill(
  conn: AnyDb,
  migration: { id: number; name: string },
  no: number,
  spec: BackfillSpec,
  opts: BackfillOptions,
): Promise<BackfillResult> {
  const t = quoteIdent(spec.table);
  let cp = (
    await sql<{
      last_key: string | null;
      rows_scanned: number;
      rows_updated: number;
      batches: number;
      total_rows: number;
      finished_at: Date | null;
    }>`
      SELECT last_key, rows_scanned, rows_updated, batches, total_rows, finished_at FROM migration_engine.backfills
      WHERE migration_id = ${migration.id} AND backfill_no = ${no}`.execute(conn)
  ).rows[0];
  if (!cp) {
    const total = Number((await sql.raw<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).execute(conn)).rows[0]?.n ?? 0);
    await sql`
      INSERT INTO migration_engine.backfills (migration_id, backfill_no, table_name, total_rows)
      VALUES (${migration.id}, ${no}, ${spec.table}, ${total})`.execute(conn);
    cp = { last_key: null, rows_scanned: 0, rows_updated: 0, batches: 0, total_rows: total, finished_at: null };
  }
  const result: BackfillResult = {
    table: spec.table,
    scanned: Number(cp.rows_scanned),
    updated: Number(cp.rows_updated),
    batches: cp.batches,
    ms: 0,
    maxBatchMs: 0,
  };
  if (cp.finished_at) return result;
  const total = Math.max(Number(cp.total_rows), result.scanned);
  let lastKey = cp.last_key;
  let size = spec.batchSize;
  const started = performance.now();
  const resumedAt = result.scanned;
  // Session settings, once: each batch is then a single statement in its own implicit transaction,
  // one round trip. The checkpoint commits with the batch; losing the last few commits in a server
  // crash only means redoing them, so the batches need not wait for the WAL flush. A batch is a
  // narrow key range: lookups by index (nested loops) keep it proportional to its rows, where the
  // planner would otherwise hash the whole lookup table for every batch.
  const joins = opts.indexLookups === false ? 'on' : 'off';
  await sql`
    SELECT set_config('lock_timeout', ${String(Math.max(1, Math.floor(opts.settings.lockTimeoutMs)))}, false),
           set_config('statement_timeout', ${String(Math.max(1, Math.floor(opts.settings.statementTimeoutMs)))}, false),
           set_config('synchronous_commit', 'off', false),
           set_config('enable_hashjoin', ${joins}, false),
           set_config('enable_mergejoin', ${joins}, false)`.execute(conn);
  try {
    for (;;) {
      const t0 = performance.now();
      const { value: batch } = await withLockRetry(
        opts.settings,
        async () =>
          (await batchQuery(spec, migration.id, no, lastKey, size).execute(conn)).rows[0] ?? { last_key: null, scanned: 0, updated: 0 },
        (attempt, delayMs, err) =>
          opts.onEvent?.({
            type: 'lock-retry',
            migration: migration.name,
            what: `backfill ${spec.table}`,
            attempt,
            delayMs,
            error: err.message,
          }),
      );
      const batchMs = performance.now() - t0;
      result.maxBatchMs = Math.max(result.maxBatchMs, batchMs);
      result.scanned += batch.scanned;
      result.updated += batch.updated;
      if (batch.scanned > 0) result.batches++;
      lastKey = batch.last_key ?? lastKey;
      const elapsed = (performance.now() - started) / 1000;
      const rate = elapsed > 0 ? (result.scanned - resumedAt) / elapsed : 0;
      const done = batch.scanned < size;
      opts.onEvent?.({
        type: 'backfill',
        migration: migration.name,
        table: spec.table,
        scanned: result.scanned,
        updated: result.updated,
        total: Math.max(total, result.scanned),
        rowsPerSec: Math.round(rate),
        etaMs: rate > 0 ? Math.max(0, Math.round(((total - result.scanned) / rate) * 1000)) : null,
        batchMs: Math.round(batchMs),
        batchSize: size,
        done,
      });
      if (done) break;
      // Keep each batch (and so each row lock) near the target duration; a target of 0 keeps the declared size.
      if (opts.targetBatchMs > 0) size = nextSize(size, batchMs, opts.targetBatchMs);
    }
  } finally {
    for (const name of ['lock_timeout', 'statement_timeout', 'synchronous_commit', 'enable_hashjoin', 'enable_mergejoin']) {
      await sql.raw(`RESET ${name}`).execute(conn);
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}
