import { sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';
import type { UploadSessionTable } from '../db/schema.ts';

type Session = Omit<UploadSessionTable, 'id'>;

export async function insertUploadSession(
  db: Db,
  s: {
    kind: Session['kind'];
    target: Session['target'];
    objectKey: string;
    userId: number | null;
    ipHash: string | null;
    contentType: string | null;
    maxBytes: number | null;
    sizeBytes: number | null;
    originalName: string | null;
    status: 'pending' | 'uploaded';
    now: Date;
    expiresAt: Date;
  },
) {
  return db
    .insertInto('upload_session')
    .values({
      kind: s.kind,
      target: s.target,
      object_key: s.objectKey,
      user_id: s.userId,
      ip_hash: s.ipHash,
      content_type: s.contentType,
      max_bytes: s.maxBytes,
      size_bytes: s.sizeBytes,
      original_name: s.originalName,
      status: s.status,
      created_at: s.now,
      expires_at: s.expiresAt,
      uploaded_at: s.status === 'uploaded' ? s.now : null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

export async function findUploadSession(db: Db, target: 'storage' | 'video', objectKey: string) {
  return db.selectFrom('upload_session').selectAll().where('target', '=', target).where('object_key', '=', objectKey).executeTakeFirst();
}

/** Sessions for the given keys (either target), locked until the transaction ends. */
export async function lockUploadSessionsByKeys(db: Db, keys: string[]) {
  if (!keys.length) return [];
  return db
    .selectFrom('upload_session')
    .selectAll()
    .where('object_key', '=', sql<string>`any(${keys})`)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function markSessionUploaded(db: Db, id: number, sizeBytes: number, now: Date) {
  await db
    .updateTable('upload_session')
    .set({ status: 'uploaded', size_bytes: sizeBytes, uploaded_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export async function markSessionsRegistered(db: Db, ids: number[], mediaAssetId: number, now: Date) {
  await db
    .updateTable('upload_session')
    .set({ status: 'registered', media_asset_id: mediaAssetId, registered_at: now })
    .where('id', '=', sql<number>`any(${ids})`)
    .execute();
}

export async function insertMediaAsset(
  db: Db,
  a: {
    provider: 'cloudflare_stream' | 'cloudflare_r2';
    assetId: string;
    durationSec: number | null;
    status: 'processing' | 'uploading' | 'ready' | 'failed';
    url: string | null;
    metadata: unknown;
    segmentIndex: number | null;
    now: Date;
  },
) {
  return db
    .insertInto('media_asset')
    .values({
      provider: a.provider,
      asset_id: a.assetId,
      duration_sec: a.durationSec,
      status: a.status,
      url: a.url,
      metadata: a.metadata === null ? null : toJson(a.metadata),
      segment_index: a.segmentIndex,
      created_at: a.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMediaAssetObjects(
  db: Db,
  mediaAssetId: number,
  objects: { target: 'storage' | 'video'; key: string; segmentIndex: number }[],
) {
  if (!objects.length) return;
  await db
    .insertInto('media_asset_object')
    .values(objects.map((o) => ({ media_asset_id: mediaAssetId, target: o.target, object_key: o.key, segment_index: o.segmentIndex })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function findMediaAsset(db: Db, id: number) {
  return db.selectFrom('media_asset').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockMediaAsset(db: Db, id: number) {
  return db.selectFrom('media_asset').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listMediaAssetObjects(db: Db, id: number) {
  return db.selectFrom('media_asset_object').selectAll().where('media_asset_id', '=', id).orderBy('segment_index').orderBy('id').execute();
}

/** True when a question or an answer points at the media row. */
export async function isMediaAssetReferenced(db: Db, id: number): Promise<boolean> {
  const r = await sql<{ referenced: boolean }>`
    SELECT EXISTS (SELECT 1 FROM question WHERE media_asset_id = ${id})
        OR EXISTS (SELECT 1 FROM answer WHERE media_asset_id = ${id}) AS referenced`.execute(db);
  return Boolean(r.rows[0]?.referenced);
}

/**
 * The caller may see or delete a media row when it is the expert who received a question using it,
 * who wrote an answer using it (or received the question that answer belongs to), or who
 * uploaded it while signed in.
 */
export async function userCanAccessMediaAsset(db: Db, id: number, userId: number): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`
    SELECT EXISTS (
        SELECT 1 FROM question q JOIN expert_profile e ON e.id = q.expert_profile_id
        WHERE q.media_asset_id = ${id} AND e.user_id = ${userId})
      OR EXISTS (
        SELECT 1 FROM answer a JOIN question q ON q.id = a.question_id JOIN expert_profile e ON e.id = q.expert_profile_id
        WHERE a.media_asset_id = ${id} AND (a.user_id = ${userId} OR e.user_id = ${userId}))
      OR EXISTS (SELECT 1 FROM upload_session s WHERE s.media_asset_id = ${id} AND s.user_id = ${userId}) AS ok`.execute(db);
  return Boolean(r.rows[0]?.ok);
}

export async function deleteMediaAsset(db: Db, id: number) {
  await db.deleteFrom('media_asset').where('id', '=', id).execute();
}

/**
 * For attaching a media row to a question or answer: locks the row FOR SHARE (so a cleanup run
 * holding it FOR UPDATE and the attach serialise) and returns it, or undefined when it is gone.
 */
export async function lockMediaAssetForAttach(db: Db, id: number) {
  return db.selectFrom('media_asset').select(['id', 'status']).where('id', '=', id).forShare().executeTakeFirst();
}

/** Whether a question or an answer already carries the recording (each recording belongs to one). */
export async function mediaAssetInUse(db: Db, id: number): Promise<boolean> {
  const q = await db.selectFrom('question').select('id').where('media_asset_id', '=', id).executeTakeFirst();
  if (q) return true;
  const a = await db.selectFrom('answer').select('id').where('media_asset_id', '=', id).executeTakeFirst();
  return Boolean(a);
}

/** Whether the recording was uploaded by a signed-in user other than `userId` (then it is theirs, not the caller's). */
export async function mediaAssetUploadedByOther(db: Db, mediaAssetId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('upload_session')
    .select('id')
    .where('media_asset_id', '=', mediaAssetId)
    .where('user_id', 'is not', null)
    .where('user_id', '<>', userId)
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}

/** Upload sessions of an erased person (account and asker erasure): returns how many went. */
export function deleteUploadSessions(trx: Db, ids: number[]) {
  return deleteByIds(trx, 'upload_session', ids);
}

/** Media rows of an erased person, after the rows that use them (RESTRICT): returns how many went. */
export function deleteMediaAssets(trx: Db, ids: number[]) {
  return deleteByIds(trx, 'media_asset', ids);
}
