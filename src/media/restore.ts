import type { AppContext } from '../context.ts';
import { findRun, listLog, reinsertMediaAsset, setLogState } from './cleanup-queries.ts';
import { insertMediaAssetObjects } from './queries.ts';

export interface RestoreReport {
  runId: number;
  restoredObjects: number;
  restoredRows: number;
  /** Already purged (older than the quarantine period) or already restored. */
  notRestorable: number;
  keys: string[];
}

/**
 * Puts back what a cleanup run removed: copies every quarantined object to its original key,
 * re-creates the media rows (same ids) with their segment objects, and marks the log entries
 * restored. Videos were never removed from the host during the quarantine, only their rows.
 */
export async function restoreRun(ctx: AppContext, runId: number): Promise<RestoreReport | null> {
  const run = await findRun(ctx.db, runId);
  if (!run) return null;
  const report: RestoreReport = { runId, restoredObjects: 0, restoredRows: 0, notRestorable: 0, keys: [] };
  const all = await listLog(ctx.db, { runId }, 1_000_000);
  // A deletion that committed but whose live copy was not yet removed: the object is still there.
  for (const entry of all) {
    if (entry.state !== 'quarantined' && entry.state !== 'pending') {
      report.notRestorable++;
      continue;
    }
    if (entry.target === 'storage' && entry.quarantine_key) {
      const copy = await ctx.storage.head(entry.quarantine_key);
      if (copy) {
        await ctx.storage.copy(entry.quarantine_key, entry.object_key);
        await ctx.storage.delete(entry.quarantine_key);
      } else if (!(await ctx.storage.head(entry.object_key))) {
        report.notRestorable++;
        continue;
      }
    }
    const snapshot = entry.asset_row as { row: Record<string, unknown>; objects: { key: string; target: 'storage' | 'video' }[] } | null;
    if (snapshot?.row) {
      await ctx.db.transaction().execute(async (trx) => {
        if (await reinsertMediaAsset(trx, snapshot.row)) {
          report.restoredRows++;
          await insertMediaAssetObjects(
            trx,
            Number(snapshot.row.id),
            snapshot.objects.map((o, i) => ({ target: o.target, key: o.key, segmentIndex: i })),
          );
        }
      });
    }
    await setLogState(ctx.db, entry.id, 'restored', ctx.now());
    if (!entry.object_key.startsWith('media_asset/')) {
      report.restoredObjects++;
      if (report.keys.length < 1000) report.keys.push(entry.object_key);
    }
  }
  ctx.log.info({ ...report, keys: undefined }, 'media cleanup run restored');
  return report;
}
