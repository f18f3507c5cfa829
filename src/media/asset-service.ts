import type { AppContext } from '../context.ts';
import { badRequest, conflict, HttpError, notFound } from '../errors.ts';
import { queueFileDeletions } from '../file-deletion/queries.ts';
import { deleteFileItem } from '../file-deletion/service.ts';
import { normaliseMetadata, type Segment } from './metadata.ts';
import {
  deleteMediaAsset,
  findMediaAsset,
  insertMediaAsset,
  insertMediaAssetObjects,
  isMediaAssetReferenced,
  listMediaAssetObjects,
  lockMediaAsset,
  lockUploadSessionsByKeys,
  markSessionsRegistered,
  userCanAccessMediaAsset,
} from './queries.ts';
import { objectUrl } from './urls.ts';

export interface RegisterInput {
  provider: 'cloudflare_stream' | 'cloudflare_r2';
  asset_id: string;
  duration_sec?: number | null | undefined;
  status?: 'processing' | 'uploading' | 'ready' | 'failed' | undefined;
  url?: string | null | undefined;
  metadata?: unknown;
  segment_index?: number | null | undefined;
}

type Row = NonNullable<Awaited<ReturnType<typeof findMediaAsset>>>;

/** The legacy shape: integer id, metadata as an object, created_at in epoch ms. */
function presentMediaAsset(row: Row) {
  return {
    id: row.id,
    provider: row.provider,
    asset_id: row.asset_id,
    url: row.url,
    duration_sec: row.duration_sec,
    status: row.status,
    metadata: row.metadata ?? null,
    segment_index: row.segment_index,
    created_at: row.created_at.getTime(),
  };
}

const notUploadedHere = () =>
  new HttpError(
    422,
    'media_not_uploaded_here',
    'Every recording segment must come from this server’s upload routes within the last hours and not be registered yet: upload it again.',
  );

/**
 * POST /media_asset. Anonymous askers and signed-in experts alike may only register objects that
 * our upload routes recorded, that are still within their registration window and not yet
 * registered: a media row can never claim someone else's upload.
 */
export async function registerMediaAsset(ctx: AppContext, userId: number | null, input: RegisterInput) {
  const metadata = normaliseMetadata(input.metadata);
  const segments: Segment[] = metadata?.segments ?? [];
  const keys = [...new Set([input.asset_id, ...segments.map((s) => s.uid)])];
  if (keys.length > 50) throw badRequest('A recording may have at most 50 segments.', 'too_many_segments');
  const now = ctx.now();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const sessions = await lockUploadSessionsByKeys(trx, keys);
    const byKey = new Map(sessions.map((s) => [s.object_key, s]));
    for (const key of keys) {
      const s = byKey.get(key);
      if (!s || s.status === 'registered' || s.status === 'cleaned' || s.expires_at.getTime() <= now.getTime()) throw notUploadedHere();
      if (s.kind !== 'video' && s.kind !== 'audio') throw notUploadedHere();
    }
    const urlOf = (key: string) => {
      const s = byKey.get(key);
      return s?.target === 'video' ? ctx.video.playbackUrl(key) : objectUrl(ctx, key);
    };
    // Playback URLs are ours, whatever the client sent: the review page renders them.
    const storedMetadata = metadata
      ? {
          ...metadata.raw,
          ...(Array.isArray(metadata.raw.segments)
            ? { segment_count: segments.length, segments: segments.map((s) => ({ ...s, playback_url: urlOf(s.uid) })) }
            : {}),
        }
      : null;
    const first = byKey.get(input.asset_id);
    const asset = await insertMediaAsset(trx, {
      provider: first?.target === 'storage' && !metadata ? 'cloudflare_r2' : input.provider,
      assetId: input.asset_id,
      durationSec: input.duration_sec == null ? null : Math.max(0, Math.round(input.duration_sec)),
      status: input.status ?? 'processing',
      url: urlOf(input.asset_id),
      metadata: metadata ? storedMetadata : (input.metadata ?? null),
      segmentIndex: input.segment_index ?? null,
      now,
    });
    const segIndex = new Map(segments.map((s, i) => [s.uid, s.segment_index ?? i]));
    await insertMediaAssetObjects(
      trx,
      asset.id,
      keys.map((k) => ({ target: byKey.get(k)?.target ?? 'video', key: k, segmentIndex: segIndex.get(k) ?? 0 })),
    );
    await markSessionsRegistered(
      trx,
      sessions.map((s) => s.id),
      asset.id,
      now,
    );
    return asset;
  });
  if (userId) ctx.log.info({ mediaAssetId: row.id, userId }, 'media asset registered');
  return presentMediaAsset(row);
}

export async function getMediaAsset(ctx: AppContext, userId: number, id: number) {
  const row = await findMediaAsset(ctx.db, id);
  if (!row || !(await userCanAccessMediaAsset(ctx.db, id, userId)))
    throw notFound('No media asset with this id is yours.', 'media_asset_not_found');
  return presentMediaAsset(row);
}

/**
 * DELETE /media_asset/{id}: only an unreferenced row its owner can see. The row goes in one
 * transaction with a file-deletion outbox row and job per object; the files are deleted right after
 * the commit and any failure is left to the job's retries.
 */
export async function removeMediaAsset(ctx: AppContext, userId: number, id: number) {
  const now = ctx.now();
  const queued = await ctx.db.transaction().execute(async (trx) => {
    const row = await lockMediaAsset(trx, id);
    if (!row || !(await userCanAccessMediaAsset(trx, id, userId)))
      throw notFound('No media asset with this id is yours.', 'media_asset_not_found');
    if (await isMediaAssetReferenced(trx, id)) {
      throw conflict('This recording is still used by a question or an answer: remove it there first.', 'media_in_use');
    }
    const objects = await listMediaAssetObjects(trx, id);
    await deleteMediaAsset(trx, id);
    // The job waits a minute: this request deletes the files itself right after the commit.
    const items = objects.map((o) => ({ target: o.target, key: o.object_key }));
    return queueFileDeletions(ctx.jobs, trx, items, now, { delaySeconds: 60 });
  });
  for (const item of queued) {
    // A failure is recorded on the item; its file-delete job retries it.
    await deleteFileItem(ctx, item.id).catch(() => {});
  }
  return { success: true, id };
}
