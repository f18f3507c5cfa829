import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * Claims up to `limit` due items: each is leased (next_attempt_at moved to `leaseUntil`) in one
 * statement with SKIP LOCKED, so that two workers never take the same item and an item whose
 * worker died is due again when its lease ends.
 */
export async function claimDueItems(db: Db, now: Date, leaseUntil: Date, limit: number) {
  const r = await sql<{ id: number; target: 'storage' | 'video' | 'payment_intent'; object_key: string; attempts: number }>`
    UPDATE file_deletion_outbox o SET next_attempt_at = ${leaseUntil}
    FROM (SELECT id FROM file_deletion_outbox
          WHERE done_at IS NULL AND next_attempt_at <= ${now}
          ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED) due
    WHERE o.id = due.id
    RETURNING o.id, o.target, o.object_key, o.attempts`.execute(db);
  return r.rows;
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

export async function markItemFailed(db: Db, id: number, error: string, retryAt: Date) {
  await db
    .updateTable('file_deletion_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 1000), next_attempt_at: retryAt }))
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
    .select(['id', 'erasure_id', 'target', 'object_key', 'attempts', 'last_error', 'next_attempt_at', 'created_at'])
    .where('done_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}
