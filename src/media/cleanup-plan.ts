import type { AppContext } from '../context.ts';
import { VIDEO_UID } from '../video/video-host.ts';
import { countMediaAssets, findClaimedKeys, insertCandidates, listEligibleMediaAssetIds } from './cleanup-queries.ts';
import { parseKey, SWEPT_PREFIXES } from './keys.ts';

export interface PlanTotals {
  mediaRows: number;
  storageObjects: number;
  videos: number;
  candidates: number;
  candidateBytes: number;
  unknownKeys: string[];
  tooYoung: number;
}

const REASON = { audio: 'orphan_audio', attachment: 'unreferenced_attachment', profile_picture: 'unreferenced_profile_picture' } as const;

/**
 * Lists what looks deletable into media_cleanup_candidate: unreferenced media rows, storage objects
 * under the swept prefixes that nothing claims, and videos nothing claims. Nothing is deleted
 * here; every candidate is re-checked under locks when executed.
 */
export async function planCleanup(ctx: AppContext, runId: number, cutoff: Date, batch: number, signal?: AbortSignal): Promise<PlanTotals> {
  const t: PlanTotals = {
    mediaRows: await countMediaAssets(ctx.db),
    storageObjects: 0,
    videos: 0,
    candidates: 0,
    candidateBytes: 0,
    unknownKeys: [],
    tooYoung: 0,
  };
  const now = ctx.now();
  const unknown = (k: string) => {
    if (t.unknownKeys.length < 1000) t.unknownKeys.push(k);
  };

  let afterId = 0;
  for (;;) {
    const ids = await listEligibleMediaAssetIds(ctx.db, cutoff, afterId, batch);
    if (!ids.length) break;
    await insertCandidates(
      ctx.db,
      ids.map((id) => ({
        run_id: runId,
        kind: 'asset',
        target: null,
        object_key: null,
        media_asset_id: id,
        reason: 'unreferenced_media_row',
        size_bytes: null,
      })),
    );
    t.candidates += ids.length;
    afterId = ids.at(-1) as number;
  }

  for (const prefix of SWEPT_PREFIXES) {
    let after: string | null = null;
    do {
      if (signal?.aborted) return t;
      const page = await ctx.storage.list(prefix, { after, limit: batch });
      after = page.next;
      t.storageObjects += page.objects.length;
      const old = [];
      for (const o of page.objects) {
        const parsed = parseKey(o.key);
        if (!parsed) {
          unknown(o.key);
          continue;
        }
        if (Math.max(o.lastModified.getTime(), parsed.createdAt.getTime()) >= cutoff.getTime()) t.tooYoung++;
        else old.push({ ...o, kind: parsed.kind });
      }
      const claimed = await findClaimedKeys(
        ctx.db,
        'storage',
        old.map((o) => o.key),
        now,
      );
      const rows = old
        .filter((o) => !claimed.has(o.key))
        .map((o) => ({
          run_id: runId,
          kind: 'object' as const,
          target: 'storage' as const,
          object_key: o.key,
          media_asset_id: null,
          reason: REASON[o.kind],
          size_bytes: o.size,
        }));
      await insertCandidates(ctx.db, rows);
      t.candidates += rows.length;
      t.candidateBytes += rows.reduce((n, r) => n + r.size_bytes, 0);
    } while (after);
  }

  let cursor: string | null = null;
  do {
    if (signal?.aborted) return t;
    const page = await ctx.video.list({ cursor, limit: batch });
    cursor = page.next;
    t.videos += page.videos.length;
    const old = [];
    for (const v of page.videos) {
      if (!VIDEO_UID.test(v.uid)) unknown(v.uid);
      else if (v.created.getTime() >= cutoff.getTime()) t.tooYoung++;
      else old.push(v);
    }
    const claimed = await findClaimedKeys(
      ctx.db,
      'video',
      old.map((v) => v.uid),
      now,
    );
    const rows = old
      .filter((v) => !claimed.has(v.uid))
      .map((v) => ({
        run_id: runId,
        kind: 'object' as const,
        target: 'video' as const,
        object_key: v.uid,
        media_asset_id: null,
        reason: 'orphan_video',
        size_bytes: v.size,
      }));
    await insertCandidates(ctx.db, rows);
    t.candidates += rows.length;
    t.candidateBytes += rows.reduce((n, r) => n + (r.size_bytes ?? 0), 0);
  } while (cursor);
  return t;
}
