/**
 * A recording as the inbox plays it: one entry per segment. Multi-segment recordings keep their
 * segments in media_asset.metadata (`{type:'multi-segment', segments:[{uid, playback_url, …}]}`).
 */
interface MediaRow {
  id: number;
  provider: string;
  asset_id: string;
  url: string | null;
  duration_sec: number | null;
  segment_index: number | null;
  metadata: unknown;
}

interface StoredSegment {
  uid?: string;
  playback_url?: string | null;
  duration?: number | null;
  mode?: string | null;
  segment_index?: number;
}

export function parseMetadata(value: unknown): Record<string, unknown> | null {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function recordingSegments(m: MediaRow) {
  const meta = parseMetadata(m.metadata);
  if (meta?.type === 'multi-segment' && Array.isArray(meta.segments)) {
    return (meta.segments as StoredSegment[])
      .filter((s) => s && typeof s === 'object')
      .map((s, i) => ({
        id: s.uid ?? `${m.id}-${i}`,
        url: s.playback_url ?? null,
        duration_sec: typeof s.duration === 'number' ? s.duration : null,
        segment_index: typeof s.segment_index === 'number' ? s.segment_index : i,
        metadata: { mode: s.mode ?? null },
        provider: m.provider,
        asset_id: s.uid ?? m.asset_id,
      }))
      .sort((a, b) => a.segment_index - b.segment_index);
  }
  const mode = typeof meta?.mode === 'string' ? meta.mode : null;
  return [
    {
      id: m.id,
      url: m.url,
      duration_sec: m.duration_sec,
      segment_index: m.segment_index ?? 0,
      metadata: { mode },
      provider: m.provider,
      asset_id: m.asset_id,
    },
  ];
}
