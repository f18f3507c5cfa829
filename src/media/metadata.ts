import { badRequest } from '../errors.ts';

export interface Segment {
  uid: string;
  playback_url?: string | null;
  duration?: number;
  mode?: 'video' | 'audio' | 'screen';
  segment_index?: number;
}

export interface Metadata {
  raw: Record<string, unknown>;
  segments: Segment[];
}

const MODES = new Set(['video', 'audio', 'screen']);

/**
 * `metadata` arrives as a JSON string (legacy client) or an object. A multi-segment recording's
 * segments are checked: every one needs a uid, the objects our routes stored.
 */
export function normaliseMetadata(input: unknown): Metadata | null {
  if (input === undefined || input === null || input === '') return null;
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw badRequest('metadata must be a JSON object (or a string holding one).', 'invalid_metadata');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('metadata must be a JSON object (or a string holding one).', 'invalid_metadata');
  }
  const raw = value as Record<string, unknown>;
  if (raw.segments === undefined) return { raw, segments: [] };
  if (!Array.isArray(raw.segments)) throw badRequest('metadata.segments must be an array.', 'invalid_metadata');
  const segments = raw.segments.map((s, i): Segment => {
    const seg = s as Record<string, unknown>;
    if (typeof seg !== 'object' || seg === null || typeof seg.uid !== 'string' || !seg.uid) {
      throw badRequest(`metadata.segments[${i}].uid is required.`, 'invalid_metadata');
    }
    const mode = typeof seg.mode === 'string' && MODES.has(seg.mode) ? (seg.mode as Segment['mode']) : undefined;
    return {
      uid: seg.uid,
      playback_url: typeof seg.playback_url === 'string' ? seg.playback_url : null,
      ...(typeof seg.duration === 'number' ? { duration: seg.duration } : {}),
      ...(mode ? { mode } : {}),
      segment_index: typeof seg.segment_index === 'number' ? Math.max(0, Math.trunc(seg.segment_index)) : i,
    };
  });
  return { raw, segments };
}
