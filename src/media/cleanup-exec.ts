import type { Selectable } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import type { CleanupOutcome, MediaCleanupCandidateTable } from '../db/schema.ts';
import { VIDEO_UID } from '../video/video-host.ts';
import {
  findClaimedKeys,
  insertDeletionLog,
  listLog,
  lockMediaAssetSkipLocked,
  lockOpenCandidate,
  lockSessionSkipLocked,
  markSessionCleaned,
  sessionExists,
  setCandidateOutcome,
  setLogState,
} from './cleanup-queries.ts';
import { parseKey, quarantineKey } from './keys.ts';
import { findMediaAsset, isMediaAssetReferenced, listMediaAssetObjects } from './queries.ts';

type Candidate = Selectable<MediaCleanupCandidateTable>;

export interface ExecContext {
  ctx: AppContext;
  runId: number;
  /** Objects and rows younger than this are never deleted. */
  cutoff: Date;
}

/** Where a key lives, by its shape: our audio/attachment/picture layout, or a video uid. */
function targetOf(key: string): 'storage' | 'video' | null {
  if (VIDEO_UID.test(key)) return 'video';
  return parseKey(key) ? 'storage' : null;
}

/**
 * Deletes one planned candidate if, re-checked inside this transaction under row locks, it is
 * still unreferenced, not in flight and old enough. Storage objects are copied to the quarantine
 * and recorded as `pending` in the same transaction; the live object is removed only after the
 * commit (finishPending), when no row can point at it any more.
 */
export async function executeCandidate(e: ExecContext, candidateId: number): Promise<CleanupOutcome | 'taken'> {
  const outcome = await e.ctx.db.transaction().execute(async (trx) => {
    const c = (await lockOpenCandidate(trx, candidateId)) as Candidate | undefined;
    if (!c) return 'taken' as const;
    const result = c.kind === 'asset' ? await deleteAsset(e, trx, c) : await deleteObject(e, trx, c);
    await setCandidateOutcome(trx, c.id, result);
    return result;
  });
  if (outcome === 'deleted') await finishPending(e.ctx, e.runId);
  return outcome;
}

async function deleteAsset(e: ExecContext, trx: Db, c: Candidate): Promise<CleanupOutcome> {
  const id = c.media_asset_id as number;
  const row = await lockMediaAssetSkipLocked(trx, id);
  // Locked by an attach in progress (its FK check holds KEY SHARE) or by another cleanup run.
  if (!row) return (await findMediaAsset(trx, id)) ? 'skipped_locked' : 'skipped_gone';
  if (row.status !== 'ready' && row.status !== 'failed') return 'skipped_in_flight';
  if (row.created_at.getTime() >= e.cutoff.getTime()) return 'skipped_young';
  if (await isMediaAssetReferenced(trx, id)) return 'skipped_referenced';

  // Every segment counts: the object rows, plus asset_id and metadata uids of rows written elsewhere.
  const objects = new Map<string, 'storage' | 'video'>();
  for (const o of await listMediaAssetObjects(trx, id)) objects.set(o.object_key, o.target);
  const segments = (row.metadata as { segments?: { uid?: unknown }[] } | null)?.segments;
  for (const key of [row.asset_id, ...(Array.isArray(segments) ? segments.map((s) => s?.uid) : [])]) {
    if (typeof key !== 'string' || objects.has(key)) continue;
    const t = targetOf(key);
    if (t) objects.set(key, t);
  }
  const now = e.ctx.now();
  const snapshot = { ...row, created_at: row.created_at.toISOString() };
  await trx.deleteFrom('media_asset').where('id', '=', id).execute();
  // An object another row, a picture, an attachment or an open upload still claims stays.
  for (const t of ['storage', 'video'] as const) {
    const keys = [...objects].filter(([, target]) => target === t).map(([k]) => k);
    for (const k of await findClaimedKeys(trx, t, keys, now)) objects.delete(k);
  }
  let first = true;
  for (const [key, target] of objects) {
    const size = target === 'storage' ? await quarantine(e, key) : null;
    await logObjectDeletion(trx, e, c, now, {
      target,
      key,
      size,
      media_asset_id: id,
      asset_row: first ? { row: snapshot, objects: [...objects].map(([k, t]) => ({ key: k, target: t })) } : null,
    });
    first = false;
  }
  if (objects.size === 0) {
    await insertDeletionLog(trx, {
      run_id: e.runId,
      target: 'storage',
      object_key: `media_asset/${id}`,
      quarantine_key: null,
      media_asset_id: id,
      asset_row: { row: snapshot, objects: [] },
      reason: c.reason,
      size_bytes: null,
      state: 'quarantined',
      created_at: now,
    });
  }
  return 'deleted';
}

async function deleteObject(e: ExecContext, trx: Db, c: Candidate): Promise<CleanupOutcome> {
  const key = c.object_key as string;
  const target = c.target as 'storage' | 'video';
  const now = e.ctx.now();
  const session = await lockSessionSkipLocked(trx, target, key);
  if (!session && (await sessionExists(trx, target, key))) return 'skipped_locked';
  if (session && session.expires_at.getTime() > now.getTime()) return 'skipped_in_flight';
  if ((await findClaimedKeys(trx, target, [key], now)).has(key)) return 'skipped_referenced';

  let size: number | null = null;
  if (target === 'storage') {
    const h = await e.ctx.storage.head(key);
    if (!h) return 'skipped_gone';
    const keyTime = parseKey(key)?.createdAt.getTime() ?? Number.POSITIVE_INFINITY;
    if (Math.max(h.lastModified.getTime(), keyTime) >= e.cutoff.getTime()) return 'skipped_young';
    size = await quarantine(e, key);
  } else {
    const info = await e.ctx.video.status(key);
    if (!info) return 'skipped_gone';
    if (info.created.getTime() >= e.cutoff.getTime()) return 'skipped_young';
    size = info.size;
  }
  await logObjectDeletion(trx, e, c, now, { target, key, size, media_asset_id: null, asset_row: null });
  if (session) await markSessionCleaned(trx, session.id);
  return 'deleted';
}

/**
 * The log row of one deleted object: a stored object waits in the quarantine (`pending` until the
 * quarantine is emptied), a video is gone at once. `asset` ties it to the media row it belonged to.
 */
function logObjectDeletion(
  trx: Db,
  e: ExecContext,
  c: Candidate,
  now: Date,
  o: {
    target: 'storage' | 'video';
    key: string;
    size: number | null;
    media_asset_id: number | null;
    asset_row: Parameters<typeof insertDeletionLog>[1]['asset_row'];
  },
) {
  return insertDeletionLog(trx, {
    run_id: e.runId,
    target: o.target,
    object_key: o.key,
    quarantine_key: o.target === 'storage' ? quarantineKey(e.runId, o.key) : null,
    media_asset_id: o.media_asset_id,
    asset_row: o.asset_row,
    reason: c.reason,
    size_bytes: o.size,
    state: o.target === 'storage' ? 'pending' : 'quarantined',
    created_at: now,
  });
}

/** Copies a live object into the run's quarantine (kept when the object is already gone). */
async function quarantine(e: ExecContext, key: string): Promise<number | null> {
  const h = await e.ctx.storage.head(key);
  if (!h) return null;
  await e.ctx.storage.copy(key, quarantineKey(e.runId, key));
  return h.size;
}

/**
 * Removes the live copies of objects whose deletion committed (state pending → quarantined).
 * Idempotent: a run killed between commit and delete finishes here when it resumes.
 */
export async function finishPending(ctx: AppContext, runId: number): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await listLog(ctx.db, { runId, state: 'pending' }, 200);
    if (!rows.length) return done;
    for (const r of rows) {
      await ctx.storage.delete(r.object_key);
      await setLogState(ctx.db, r.id, 'quarantined', ctx.now());
      done++;
    }
  }
}
