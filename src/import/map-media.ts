/** Legacy `media_asset` → ours: FK-only ownership, recordings kept whole with every segment registered. */
import { sql } from 'kysely';
import { id, int, json, str, ts } from './convert.ts';
import { mapByLegacyId } from './row-map.ts';
import type { TableSpec } from './types.ts';

const STATUSES = new Set(['processing', 'uploading', 'ready', 'failed']);

interface Segment {
  uid?: unknown;
  duration?: unknown;
  segment_index?: unknown;
}

const segmentsOf = (metadata: unknown): Segment[] => {
  const s = (metadata as { segments?: unknown } | null)?.segments;
  return Array.isArray(s) ? (s as Segment[]) : [];
};

export const mediaSpec: TableSpec<null> = {
  legacy: 'media_asset',
  target: 'media_asset',
  columns: {
    id: 'int',
    provider: 'text',
    asset_id: 'text',
    duration_sec: 'int',
    status: 'text',
    url: 'text',
    metadata: 'json',
    segment_index: 'int',
    created_at: 'ts',
  },
  changeColumns: ['created_at'],
  pagesIndependent: true,
  prepare: async () => null,
  map: (r) =>
    mapByLegacyId(r, (_rowId, repair) => {
      const assetId = str(r.asset_id);
      if (!assetId) return 'missing asset_id';
      const created = ts(r.created_at);
      if (!created) return 'missing created_at';
      let provider = str(r.provider);
      if (provider !== 'cloudflare_stream' && provider !== 'cloudflare_r2') {
        provider = assetId.startsWith('audio/') ? 'cloudflare_r2' : 'cloudflare_stream';
        repair('provider unknown → inferred from asset_id');
      }
      const url = str(r.url);
      let status = str(r.status);
      if (!status || !STATUSES.has(status)) {
        status = url ? 'ready' : 'processing';
        repair('status empty or unknown → from url');
      }
      const metadata = json(r.metadata, 'metadata', repair);
      const segments = segmentsOf(metadata);
      let duration = r.duration_sec === null || r.duration_sec === undefined ? null : Math.round(Number(r.duration_sec));
      if (segments.length) {
        repair('multi-segment recording kept whole, segments registered');
        if (duration === null) {
          duration = segments.reduce((sum, s) => sum + (Number(s.duration) || 0), 0);
          repair('multi-segment duration → sum of segments');
        }
      }
      if (r.owner_type || r.owner_id) repair('owner_type/owner_id → owner FK link');
      return {
        provider,
        asset_id: assetId,
        duration_sec: Number.isFinite(duration) ? duration : null,
        status,
        url,
        metadata,
        segment_index: int(r.segment_index),
        created_at: created,
      };
    }),
  async afterBatch(db, rows, source, legacy) {
    // Every stored object of a recording is registered, so the media cleanup never deletes a live segment.
    const objects = rows.flatMap((m) => {
      const list = [{ key: String(m.asset_id), index: 0 }];
      for (const s of segmentsOf(m.metadata))
        if (typeof s.uid === 'string' && s.uid) list.push({ key: s.uid, index: Math.max(0, int(s.segment_index) ?? 0) });
      return list.map((o) => ({
        media_asset_id: m.id,
        target: o.key.startsWith('audio/') ? 'storage' : 'video',
        object_key: o.key,
        segment_index: o.index,
      }));
    });
    if (objects.length)
      await sql`INSERT INTO media_asset_object (media_asset_id, target, object_key, segment_index)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(objects)}::jsonb) AS x(media_asset_id bigint, target text, object_key text, segment_index integer)
        ON CONFLICT DO NOTHING`.execute(db);
    const accepted = new Set(rows.map((m) => m.id));
    const owners = legacy
      .filter((r) => (r.owner_type === 'question' || r.owner_type === 'answer') && id(r.owner_id) !== null && accepted.has(id(r.id)))
      .map((r) => ({ source, owner_type: r.owner_type, owner_id: id(r.owner_id), media_asset_id: id(r.id) }));
    if (owners.length)
      await sql`INSERT INTO import_media_owner (source, owner_type, owner_id, media_asset_id)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(owners)}::jsonb) AS x(source text, owner_type text, owner_id bigint, media_asset_id bigint)
        ON CONFLICT (source, owner_type, owner_id) DO UPDATE SET media_asset_id = LEAST(import_media_owner.media_asset_id, EXCLUDED.media_asset_id)`.execute(
        db,
      );
  },
};
