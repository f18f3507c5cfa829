/**
 * The deletion outbox worker: deletes the stored objects and videos of erased rows (and scrubs the
 * payment provider's copy of an erased person's data) after the erasure committed. Every call is
 * idempotent (deleting a missing object succeeds), each item is tried on its own — a failing item
 * is retried with backoff and never blocks the others — and nothing is ever given up on: a failing
 * item shows in /metrics and `quickchat privacy outbox` until someone fixes the cause.
 */
import type { AppContext } from '../context.ts';
import type { JobDefinition, JobSummary } from '../jobs/types.ts';
import { claimDueItems, markItemDone, markItemFailed, outboxStats } from './outbox-queries.ts';

export const LEASE_MS = 10 * 60_000;

/** 1 min, 2, 4 … capped at 6 h: the wait before attempt `attempts + 1`. */
export function outboxRetryDelayMs(attempts: number): number {
  return Math.min(6 * 3600_000, 60_000 * 2 ** Math.max(0, Math.min(attempts, 20)));
}

/** Metadata keys our payment intents carry about a person: emptied (Stripe deletes empty keys). */
export const PERSONAL_INTENT_METADATA = [
  'customer_email',
  'client_ip',
  'question_title',
  'expert_handle',
  'expert_profile_id',
  'question_id',
];

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

export async function workFileDeletionOutbox(ctx: AppContext, opts: { limit?: number; signal?: AbortSignal } = {}) {
  const summary = { items: 0, failed: 0, done: 0 };
  const limit = opts.limit ?? 200;
  for (;;) {
    opts.signal?.throwIfAborted();
    const now = ctx.now();
    const items = await claimDueItems(ctx.db, now, new Date(now.getTime() + LEASE_MS), Math.min(limit - summary.items, 50));
    if (!items.length) break;
    for (const item of items) {
      summary.items++;
      try {
        await carryOut(ctx, item);
        await markItemDone(ctx.db, item.id, item.object_key, ctx.now());
        summary.done++;
      } catch (err) {
        summary.failed++;
        const message = (err as Error)?.message ?? String(err);
        await markItemFailed(ctx.db, item.id, message, new Date(ctx.now().getTime() + outboxRetryDelayMs(item.attempts)));
        ctx.log.warn(
          { outboxId: item.id, target: item.target, attempts: item.attempts + 1, err: message },
          'file deletion will be retried',
        );
      }
    }
    if (summary.items >= limit) break;
  }
  return summary;
}

export const fileDeletionOutboxJob: JobDefinition = {
  name: 'file-deletion-outbox',
  summary: 'Delete the stored files and videos of erased rows (and scrub erased payers at the payment provider); retried with backoff.',
  cron: '* * * * *',
  async run(ctx, { signal, dryRun }): Promise<JobSummary> {
    if (dryRun) {
      const s = await outboxStats(ctx.db, ctx.now());
      return { items: s.pending, failed: s.failing };
    }
    return workFileDeletionOutbox(ctx, { limit: 1000, signal });
  },
};
