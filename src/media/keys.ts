import { randomBytes } from 'node:crypto';

/**
 * The one key layout of everything our routes store. The cleanup's bucket sweep parses keys with
 * these patterns: a key that matches none is reported, never deleted.
 *   audio/<ms>-<32 hex>.<ext>                 recorded audio segments
 *   attachments/<ms>-<32 hex>/<safe name>     question and answer attachments
 *   profiles/<ms>-<32 hex>.<ext>              profile pictures
 *   video/<32 hex>.webm                       videos of the local video host
 *   quarantine/<run id>/<original key>        what a cleanup run removed, kept 7 days
 */
export type KeyKind = 'audio' | 'attachment' | 'profile_picture';

export const QUARANTINE_PREFIX = 'quarantine/';
export const SWEPT_PREFIXES = ['audio/', 'attachments/', 'profiles/'] as const;

const PATTERNS: Record<KeyKind, RegExp> = {
  audio: /^audio\/(\d{13})-[0-9a-f]{32}\.(webm|ogg|m4a|mp3|wav)$/,
  attachment: /^attachments\/(\d{13})-[0-9a-f]{32}\/[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/,
  profile_picture: /^profiles\/(\d{13})-[0-9a-f]{32}\.(webp|png|jpg|gif)$/,
};

const stamp = (now: Date) => `${String(now.getTime()).padStart(13, '0')}-${randomBytes(16).toString('hex')}`;

export function audioKey(now: Date, ext: string): string {
  return `audio/${stamp(now)}.${ext}`;
}

export function attachmentKey(now: Date, fileName: string): string {
  return `attachments/${stamp(now)}/${sanitizeFileName(fileName)}`;
}

export function profilePictureKey(now: Date, ext: string): string {
  return `profiles/${stamp(now)}.${ext}`;
}

export function quarantineKey(runId: number, key: string): string {
  return `${QUARANTINE_PREFIX}${runId}/${key}`;
}

/** The kind and creation time a key encodes, or null when it does not follow the layout. */
export function parseKey(key: string): { kind: KeyKind; createdAt: Date } | null {
  for (const kind of Object.keys(PATTERNS) as KeyKind[]) {
    const m = PATTERNS[kind].exec(key);
    if (m) return { kind, createdAt: new Date(Number(m[1])) };
  }
  return null;
}

/**
 * A file name safe in a key, a URL and a Content-Disposition header: ASCII letters, digits,
 * dot, dash and underscore; no leading dot; at most 120 characters, keeping the extension.
 */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const ascii = base.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let safe = ascii
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[._-]+/, '');
  if (safe.length > 120) {
    const ext = /\.[A-Za-z0-9]{1,10}$/.exec(safe)?.[0] ?? '';
    safe = safe.slice(0, 120 - ext.length) + ext;
  }
  return safe || 'file';
}
