import { type Insertable, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';
import type { CleanupOutcome, MediaCleanupCandidateTable } from '../db/schema.ts';

/** Media rows that look deletable (re-checked under a row lock before anything is deleted). */
export async function listEligibleMediaAssetIds(db: Db, cutoff: Date, afterId: number, limit: number): Promise<number[]> {
  const r = await sql<{ id: number }>`
    SELECT m.id FROM media_asset m
    WHERE m.id > ${afterId} AND m.created_at < ${cutoff} AND m.status IN ('ready', 'failed')
      AND NOT EXISTS (SELECT 1 FROM question q WHERE q.media_asset_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM answer a WHERE a.media_asset_id = m.id)
    ORDER BY m.id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function countMediaAssets(db: Db): Promise<number> {
  const r = await db
    .selectFrom('media_asset')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * The subset of `keys` something still claims: a media row (its object list, its asset_id, a
 * segment uid in its metadata, its url), a profile picture, a question or answer attachment, an
 * upload session still open, or a deletion in progress (tombstone).
 */
export async function findClaimedKeys(db: Db, target: 'storage' | 'video', keys: string[], now: Date): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const r = await sql<{ k: string }>`
    SELECT k FROM unnest(${keys}::text[]) AS k
    WHERE EXISTS (SELECT 1 FROM media_asset_object o WHERE o.target = ${target} AND o.object_key = k)
       OR EXISTS (SELECT 1 FROM media_asset m WHERE m.asset_id = k)
       OR EXISTS (SELECT 1 FROM media_asset m WHERE m.metadata @> jsonb_build_object('segments', jsonb_build_array(jsonb_build_object('uid', k))))
       OR EXISTS (SELECT 1 FROM media_asset m WHERE strpos(m.url, k) > 0)
       OR EXISTS (SELECT 1 FROM upload_session s WHERE s.target = ${target} AND s.object_key = k AND s.expires_at > ${now})
       OR EXISTS (SELECT 1 FROM media_deletion_log d WHERE d.target = ${target} AND d.object_key = k AND d.state IN ('pending', 'quarantined'))
       OR (${target}::text = 'storage' AND (
            EXISTS (SELECT 1 FROM expert_profile e WHERE strpos(e.avatar_url, k) > 0)
         OR EXISTS (SELECT 1 FROM question q WHERE strpos(q.attachments::text, k) > 0)
         OR EXISTS (SELECT 1 FROM answer a WHERE strpos(a.attachments::text, k) > 0)))`.execute(db);
  return new Set(r.rows.map((x) => x.k));
}

export async function insertRun(db: Db, mode: 'dry_run' | 'apply', options: unknown, now: Date) {
  return db
    .insertInto('media_cleanup_run')
    .values({ mode, options: toJson(options), started_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The oldest unfinished apply run; the caller holds the cleanup lock, so no one else is working it. */
export async function findUnfinishedRun(db: Db) {
  return db
    .selectFrom('media_cleanup_run')
    .selectAll()
    .where('finished_at', 'is', null)
    .where('mode', '=', 'apply')
    .orderBy('id')
    .executeTakeFirst();
}

export async function findRun(db: Db, id: number) {
  return db.selectFrom('media_cleanup_run').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateRun(
  db: Db,
  id: number,
  set: Partial<{
    phase: 'plan' | 'execute' | 'purge' | 'tokens' | 'done';
    status: 'running' | 'completed' | 'refused_breaker' | 'interrupted' | 'failed';
    report: unknown;
    cursor: unknown;
    finished_at: Date | null;
  }>,
) {
  const { report, cursor, ...rest } = set;
  await db
    .updateTable('media_cleanup_run')
    .set({
      ...rest,
      ...(report !== undefined ? { report: toJson(report) } : {}),
      ...(cursor !== undefined ? { cursor: toJson(cursor) } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteCandidates(db: Db, runId: number) {
  await db.deleteFrom('media_cleanup_candidate').where('run_id', '=', runId).execute();
}

export async function insertCandidates(db: Db, rows: Omit<Insertable<MediaCleanupCandidateTable>, 'id' | 'outcome'>[]) {
  if (rows.length) await db.insertInto('media_cleanup_candidate').values(rows).execute();
}

export async function listCandidates(db: Db, runId: number, limit = 100_000) {
  return db.selectFrom('media_cleanup_candidate').selectAll().where('run_id', '=', runId).orderBy('id').limit(limit).execute();
}

export async function nextOpenCandidates(db: Db, runId: number, afterId: number, limit: number) {
  return db
    .selectFrom('media_cleanup_candidate')
    .selectAll()
    .where('run_id', '=', runId)
    .where('outcome', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The candidate, locked for this runner; undefined when another runner has it or it is done. */
export async function lockOpenCandidate(db: Db, id: number) {
  return db
    .selectFrom('media_cleanup_candidate')
    .selectAll()
    .where('id', '=', id)
    .where('outcome', 'is', null)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function setCandidateOutcome(db: Db, id: number, outcome: CleanupOutcome) {
  await db.updateTable('media_cleanup_candidate').set({ outcome }).where('id', '=', id).execute();
}

export async function countOutcomes(db: Db, runId: number) {
  const rows = await db
    .selectFrom('media_cleanup_candidate')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('size_bytes').as('bytes')])
    .where('run_id', '=', runId)
    .groupBy('outcome')
    .execute();
  return rows.map((r) => ({ outcome: r.outcome, n: Number(r.n), bytes: Number(r.bytes ?? 0) }));
}

export async function lockMediaAssetSkipLocked(db: Db, id: number) {
  return db.selectFrom('media_asset').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
}

export async function lockSessionSkipLocked(db: Db, target: 'storage' | 'video', key: string) {
  return db
    .selectFrom('upload_session')
    .selectAll()
    .where('target', '=', target)
    .where('object_key', '=', key)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function sessionExists(db: Db, target: 'storage' | 'video', key: string) {
  return Boolean(
    await db.selectFrom('upload_session').select('id').where('target', '=', target).where('object_key', '=', key).executeTakeFirst(),
  );
}

export async function markSessionCleaned(db: Db, id: number) {
  await db.updateTable('upload_session').set({ status: 'cleaned' }).where('id', '=', id).execute();
}

export async function insertDeletionLog(
  db: Db,
  row: {
    run_id: number;
    target: 'storage' | 'video';
    object_key: string;
    quarantine_key: string | null;
    media_asset_id: number | null;
    asset_row: unknown;
    reason: string;
    size_bytes: number | null;
    state: 'pending' | 'quarantined';
    created_at: Date;
  },
) {
  await db
    .insertInto('media_deletion_log')
    .values({ ...row, asset_row: row.asset_row === null ? null : toJson(row.asset_row) })
    .execute();
}

export async function listLog(db: Db, where: { runId?: number; state?: 'pending' | 'quarantined'; createdBefore?: Date }, limit = 1000) {
  let q = db.selectFrom('media_deletion_log').selectAll().orderBy('id').limit(limit);
  if (where.runId !== undefined) q = q.where('run_id', '=', where.runId);
  if (where.state) q = q.where('state', '=', where.state);
  if (where.createdBefore) q = q.where('created_at', '<', where.createdBefore);
  return q.execute();
}

export async function setLogState(db: Db, id: number, state: 'quarantined' | 'restored' | 'purged', now: Date) {
  await db
    .updateTable('media_deletion_log')
    .set({ state, ...(state === 'restored' ? { restored_at: now } : state === 'purged' ? { purged_at: now } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function deleteOldMagicLinkTokens(db: Db, now: Date, apply: boolean): Promise<number> {
  const day = 86_400_000;
  const expired = new Date(now.getTime() - 7 * day);
  const old = new Date(now.getTime() - 30 * day);
  const where = sql<boolean>`expires_at < ${expired} OR (used AND used_at < ${old}) OR (NOT used AND created_at < ${old})`;
  if (!apply) {
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM magic_link_token WHERE ${where}`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  }
  const r = await sql`DELETE FROM magic_link_token WHERE ${where}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function reinsertMediaAsset(db: Db, row: Record<string, unknown>) {
  const r = await sql`
    INSERT INTO media_asset (id, provider, asset_id, duration_sec, status, url, metadata, segment_index, created_at)
    VALUES (${row.id}, ${row.provider}, ${row.asset_id}, ${row.duration_sec}, ${row.status}, ${row.url},
            ${row.metadata === null || row.metadata === undefined ? null : toJson(row.metadata)}::jsonb, ${row.segment_index}, ${row.created_at})
    ON CONFLICT (id) DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}
