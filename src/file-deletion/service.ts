/**
 * File erasure after commit: the file-delete queue's handler deletes the stored object or video of
 * an erased row (or scrubs the payment provider's copy of an erased person's data). The outbox row
 * is the record (the media guard answers 410 from it, /metrics and `privacy outbox` count it); the
 * job is the work, queued in the erasing transaction (outbox-queries.ts). Every delete is
 * idempotent (a missing object succeeds), each item is its own job, so a failing one is retried
 * with back-off and never blocks the others, and nothing is given up on: an item whose job ran out
 * of retries stays pending and failing until someone fixes the cause and runs `jobs retry`.
 */
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { drainQueue } from '../job-queue/drain.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { markItemDone, markItemFailed, outboxStats, selectPendingItem, selectPendingItemIds, sendFileDeleteJobs } from './queries.ts';

/** Metadata keys our payment intents carry about a person: emptied (Stripe deletes empty keys). */
const PERSONAL_INTENT_METADATA = ['customer_email', 'client_ip', 'question_title', 'expert_handle', 'expert_profile_id', 'question_id'];

async function carryOut(ctx: AppContext, item: { target: string; object_key: string }): Promise<void> {
  switch (item.target) {
    case 'storage':
      return ctx.storage.delete(item.object_key);
    case 'video':
      return ctx.video.delete(item.object_key);
    case 'payment_intent':
      return ctx.payments.describeIntent(
        item.object_key,
        'Erased at the request of the person concerned',
        Object.fromEntries(PERSONAL_INTENT_METADATA.map((k) => [k, ''])),
      );
    default:
      throw new Error(`unknown outbox target ${item.target}`);
  }
}

/**
 * Deletes one outbox item's file: the file-delete handler, and the request that removed a media
 * asset, right after its commit. A failure is recorded on the row and thrown for a retry.
 */
export async function deleteFileItem(ctx: AppContext, itemId: number): Promise<'done' | 'skipped'> {
  const item = await selectPendingItem(ctx.db, itemId);
  if (!item || item.done_at) return 'skipped'; // already deleted, or the done row was retired after 30 days
  try {
    await carryOut(ctx, item);
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    await markItemFailed(ctx.db, item.id, message);
    ctx.log.warn({ outboxId: item.id, target: item.target, attempts: item.attempts + 1, err: message }, 'file deletion will be retried');
    throw err;
  }
  await markItemDone(ctx.db, item.id, item.object_key, ctx.now());
  return 'done';
}

/** Before an operator's retry: only a pending item has anything left to delete. */
export async function reviveFileItem(trx: Db, itemId: number): Promise<string | null> {
  const item = await selectPendingItem(trx, itemId);
  if (!item) return `file deletion ${itemId} no longer exists.`;
  if (item.done_at) return `file deletion ${itemId} is already done.`;
  return null;
}

/**
 * Gives every pending item its job: rows queued before file erasure moved onto pg-boss (migration
 * 0096), or written by hand. Idempotent: the job id comes from the item id. Workers run it at start.
 */
export async function requeuePendingFileDeletions(ctx: AppContext): Promise<number> {
  const ids = await selectPendingItemIds(ctx.db);
  await sendFileDeleteJobs(ctx.jobs, ctx.db, ids);
  return ids.length;
}

/** Works the due part of the file-delete queue once, in this process (`jobs run`, tests). */
export async function workFileDeletionOutbox(ctx: AppContext, opts: { limit?: number; signal?: AbortSignal } = {}) {
  opts.signal?.throwIfAborted();
  await requeuePendingFileDeletions(ctx);
  const summary = { items: 0, failed: 0, done: 0 };
  await drainQueue(ctx.jobs, 'file-delete', opts.limit ?? 200, async ({ itemId }) => {
    summary.items++;
    try {
      await deleteFileItem(ctx, itemId);
      summary.done++;
    } catch (err) {
      summary.failed++;
      throw err;
    }
  });
  return summary;
}

/**
 * The file-delete queue's workers do the deleting; this on-demand job is the operator's lever: it
 * gives pending items their job and works the due ones now.
 */
export const fileDeletionOutboxJob: JobDefinition<AppContext> = {
  name: 'file-deletion-outbox',
  summary: 'Queue a file-delete job for every pending outbox item and delete the due ones now (workers do it continuously).',
  cron: null,
  async run(ctx, { signal, dryRun }): Promise<JobSummary> {
    if (dryRun) {
      const s = await outboxStats(ctx.db, ctx.now());
      return { items: s.pending, failed: s.failing };
    }
    return workFileDeletionOutbox(ctx, { limit: 1000, signal });
  },
};
