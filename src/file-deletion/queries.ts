import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { FileDeletionOutboxTable } from '../db/schema.ts';
import type { JobQueue } from '../job-queue/queue.ts';

export type FileTarget = FileDeletionOutboxTable['target'];

/** The job key of an outbox item's deletion: one job per item, however often it is queued. */
export const fileDeleteJobKey = (itemId: number) => `file-delete:${itemId}`;

/**
 * Records files to delete after the caller's transaction commits, each with its file-delete job in
 * that same transaction: the rows that make a file unreachable and the promise to delete it commit
 * together or not at all. `delaySeconds` leaves room for a request that deletes right after commit.
 */
export async function queueFileDeletions(
  jobs: JobQueue,
  trx: Db,
  items: { target: FileTarget; key: string }[],
  now: Date,
  opts: { erasureId?: number; delaySeconds?: number } = {},
): Promise<{ id: number; target: FileTarget; object_key: string }[]> {
  if (!items.length) return [];
  // unnest: an account's erasure can queue more files than a multi-row VALUES has parameters for.
  const { rows } = await sql<{ id: number; target: FileTarget; object_key: string }>`
    INSERT INTO file_deletion_outbox (erasure_id, target, object_key, created_at)
    SELECT ${opts.erasureId ?? null}::bigint, t, k, ${now}
    FROM unnest(${items.map((i) => i.target)}::text[], ${items.map((i) => i.key)}::text[]) AS x(t, k)
    RETURNING id, target, object_key`.execute(trx);
  await sendFileDeleteJobs(
    jobs,
    trx,
    rows.map((r) => r.id),
    opts.delaySeconds,
  );
  return rows;
}

export async function sendFileDeleteJobs(jobs: JobQueue, trx: Db, ids: number[], delaySeconds?: number): Promise<void> {
  await jobs.sendMany(
    trx,
    'file-delete',
    ids.map((id) => ({ payload: { itemId: id }, key: fileDeleteJobKey(id), ...(delaySeconds ? { startAfter: delaySeconds } : {}) })),
  );
}

export function selectPendingItem(db: Db, id: number) {
  return db
    .selectFrom('file_deletion_outbox')
    .select(['id', 'target', 'object_key', 'attempts', 'done_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function selectPendingItemIds(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('file_deletion_outbox').select('id').where('done_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** A key is needed only until the object is gone; then only its hash stays (keys embed file names). */
export const doneKey = (key: string) => `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;

export async function markItemDone(db: Db, id: number, key: string, now: Date) {
  await db
    .updateTable('file_deletion_outbox')
    .set({ done_at: now, last_error: null, object_key: doneKey(key) })
    .where('id', '=', id)
    .execute();
}

export async function markItemFailed(db: Db, id: number, error: string) {
  await db
    .updateTable('file_deletion_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 1000) }))
    .where('id', '=', id)
    .execute();
}

export interface OutboxStats {
  pending: number;
  failing: number;
  oldest_pending_at: Date | null;
  done_last_24h: number;
  failed_attempts: number;
}

export async function outboxStats(db: Db, now: Date): Promise<OutboxStats> {
  const r = await sql<OutboxStats>`
    SELECT count(*) FILTER (WHERE done_at IS NULL)::int AS pending,
           count(*) FILTER (WHERE done_at IS NULL AND attempts > 0)::int AS failing,
           min(created_at) FILTER (WHERE done_at IS NULL) AS oldest_pending_at,
           count(*) FILTER (WHERE done_at > ${new Date(now.getTime() - 24 * 3600_000)})::int AS done_last_24h,
           coalesce(sum(attempts), 0)::int AS failed_attempts
    FROM file_deletion_outbox`.execute(db);
  const row = r.rows[0] as OutboxStats;
  return { ...row, oldest_pending_at: row.oldest_pending_at ? new Date(row.oldest_pending_at) : null };
}

export function listPendingItems(db: Db, limit: number) {
  return db
    .selectFrom('file_deletion_outbox')
    .select(['id', 'erasure_id', 'target', 'object_key', 'attempts', 'last_error', 'created_at'])
    .where('done_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}
