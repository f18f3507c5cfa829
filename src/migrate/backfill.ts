import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import type { BackfillSpec } from './backfill-spec.ts';
import type { EngineEvent } from './events.ts';
import { type LockSettings, setLocalTimeouts, withLockRetry } from './locks.ts';
import { quoteIdent } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface BackfillOptions {
  settings: LockSettings;
  /** Each batch should take about this long; the batch size adapts to it (row locks are held per batch). 0: fixed size. */
  targetBatchMs: number;
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

/** One keyset batch: the next `size` keys after `after`, updated where the condition still holds. */
function batchQuery(spec: BackfillSpec, after: string | null, size: number) {
  const t = sql.raw(quoteIdent(spec.table));
  const k = sql.raw(quoteIdent(spec.key));
  const from = after === null ? sql`` : sql`WHERE ${k} > ${after}`;
  return sql<{ last_key: string | null; scanned: number; updated: number }>`
    WITH __backfill_batch AS (
      SELECT ${k} AS __backfill_key FROM ${t} ${from} ORDER BY ${k} LIMIT ${size}
    ), __backfill_updated AS (
      UPDATE ${t} SET ${sql.raw(spec.set)} FROM __backfill_batch
      WHERE ${t}.${k} = __backfill_batch.__backfill_key AND (${sql.raw(spec.where)})
      RETURNING 1
    )
    SELECT (SELECT max(__backfill_key) FROM __backfill_batch)::text AS last_key,
           (SELECT count(*) FROM __backfill_batch)::int AS scanned,
           (SELECT count(*) FROM __backfill_updated)::int AS updated`;
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
  for (;;) {
    const t0 = performance.now();
    const { value: batch } = await withLockRetry(
      opts.settings,
      () =>
        conn.transaction().execute(async (trx) => {
          await setLocalTimeouts(trx, opts.settings);
          // The checkpoint commits with the batch; losing the last few commits in a server crash
          // only means redoing them, so the batches need not wait for the WAL flush.
          await sql.raw('SET LOCAL synchronous_commit = off').execute(trx);
          const r = await batchQuery(spec, lastKey, size).execute(trx);
          const b = r.rows[0] ?? { last_key: null, scanned: 0, updated: 0 };
          await sql`
            UPDATE migration_engine.backfills
            SET last_key = coalesce(${b.last_key}, last_key), rows_scanned = rows_scanned + ${b.scanned},
                rows_updated = rows_updated + ${b.updated}, batches = batches + ${b.scanned > 0 ? 1 : 0}, updated_at = now(),
                finished_at = ${b.scanned < size ? sql`now()` : null}
            WHERE migration_id = ${migration.id} AND backfill_no = ${no}`.execute(trx);
          return b;
        }),
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
    if (opts.targetBatchMs <= 0) continue;
    if (batchMs < opts.targetBatchMs / 2) size = Math.min(MAX_BATCH, size * 2);
    else if (batchMs > opts.targetBatchMs) size = Math.max(MIN_BATCH, Math.floor(size / 2));
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}
