/**
 * Which stored files belong to the rows being erased: the objects of their media rows, the
 * attachments and pictures that point at our own storage, the account's uploads and exports.
 * Files on other hosts are not ours to delete (the legacy client may keep external URLs).
 */
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import type { DB, FileDeletionOutboxTable } from '../db/schema.ts';
import { deleteFeedback } from '../feedback/queries.ts';
import { deleteMediaAssets, deleteUploadSessions } from '../media/queries.ts';
import { keyFromUrl } from '../media/urls.ts';

type Target = FileDeletionOutboxTable['target'];
export interface OutboxItem {
  target: Target;
  key: string;
}

/** The `url`s of an attachments value (a JSON array, or the legacy JSON string of one). */
export function attachmentUrls(value: unknown): string[] {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list.flatMap((a) =>
    a && typeof a === 'object' && typeof (a as { url?: unknown }).url === 'string' ? [(a as { url: string }).url] : [],
  );
}

/** Storage keys of our own objects among `urls`. */
export function ownKeys(ctx: AppContext, urls: (string | null | undefined)[]): string[] {
  return urls.flatMap((u) => {
    const k = u ? keyFromUrl(ctx, u) : null;
    return k ? [k] : [];
  });
}

/** One item per distinct (target, key), in a stable order. */
export function uniqueItems(items: OutboxItem[]): OutboxItem[] {
  const seen = new Map<string, OutboxItem>();
  for (const i of items) seen.set(`${i.target}\u0000${i.key}`, i);
  return [...seen.values()].sort((a, b) => (a.target === b.target ? a.key.localeCompare(b.key) : a.target.localeCompare(b.target)));
}

/**
 * Deletes the rows behind an erased subject's files, once their objects are queued for deletion:
 * upload sessions, the media rows no other account shares, feedback. Returns the counts by table.
 */
export async function deleteFileRows(trx: Kysely<DB>, rows: { sessions: { id: number }[]; ownMedia: number[]; feedbackIds: number[] }) {
  return {
    upload_session: await deleteUploadSessions(
      trx,
      rows.sessions.map((s) => s.id),
    ),
    media_asset: await deleteMediaAssets(trx, rows.ownMedia),
    feedback: await deleteFeedback(trx, rows.feedbackIds),
  };
}
