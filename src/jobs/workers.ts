import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { deliverEmail, emailDeadLettered, reviveEmail } from '../email/deliver.ts';
import { deleteFileItem, reviveFileItem } from '../file-deletion/service.ts';
import type { QueueName, QueuePayload } from '../job-queue/queues.ts';
import { paymentActionDeadLettered, paymentActionPending, runPaymentAction } from '../payments/actions.ts';

export interface QueueWorker<Q extends QueueName> {
  /** Throws to have pg-boss retry the job with the queue's back-off. */
  handle(ctx: AppContext, payload: QueuePayload<Q>): Promise<unknown>;
  /** The job failed every retry (or expired every time): settle the domain row. */
  dead(ctx: AppContext, payload: QueuePayload<Q>): Promise<void>;
  /**
   * Before an operator's retry (`jobs retry`), in its transaction: puts the domain row back where
   * the handler will act on it, or says why a retry would be wrong (null: go ahead).
   */
  revive(trx: Kysely<DB>, payload: QueuePayload<Q>): Promise<string | null>;
  /** How often an idle worker polls (PGlite has no LISTEN between instances). */
  pollSeconds(ctx: AppContext): number;
  concurrency: number;
}

/** The handler of every queue of queues.ts: the one registry of after-commit work. */
export const QUEUE_WORKERS: { [Q in QueueName]: QueueWorker<Q> } = {
  'email-deliver': {
    handle: (ctx, { outboxId }) => deliverEmail(ctx, outboxId),
    dead: (ctx, { outboxId }) => emailDeadLettered(ctx, outboxId),
    revive: (trx, { outboxId }) => reviveEmail(trx, outboxId),
    // Sign-in links must arrive within seconds: MAIL_POLL_MS (pg-boss's floor is 0.5 s).
    pollSeconds: (ctx) => Math.max(0.5, ctx.config.mail.pollMs / 1000),
    concurrency: 2,
  },
  'payment-action': {
    handle: (ctx, { paymentId }) => runPaymentAction(ctx, paymentId, { fromQueue: true }),
    dead: (ctx, { paymentId }) => paymentActionDeadLettered(ctx, paymentId),
    revive: (trx, { paymentId, action }) => paymentActionPending(trx, paymentId, action),
    pollSeconds: () => 5,
    concurrency: 2,
  },
  'file-delete': {
    handle: (ctx, { itemId }) => deleteFileItem(ctx, itemId),
    // Never given up on: the item stays pending, failing in /metrics and `privacy outbox`.
    dead: async () => {},
    revive: (trx, { itemId }) => reviveFileItem(trx, itemId),
    pollSeconds: () => 5,
    concurrency: 2,
  },
};

export async function startQueueWorkers(ctx: AppContext, log: Logger): Promise<void> {
  const boss = ctx.jobs.boss();
  for (const name of Object.keys(QUEUE_WORKERS) as QueueName[]) {
    const w = QUEUE_WORKERS[name] as QueueWorker<QueueName>;
    const options = { batchSize: 1, localConcurrency: w.concurrency, pollingIntervalSeconds: w.pollSeconds(ctx) };
    await boss.work<QueuePayload<QueueName>>(name, options, async ([job]) => {
      if (job) await w.handle(ctx, job.data);
    });
    await boss.work<QueuePayload<QueueName>>(`${name}-dead`, { batchSize: 1 }, async ([job]) => {
      if (!job) return;
      log.error({ queue: name, payload: job.data }, 'job failed every retry: dead-lettered');
      await w.dead(ctx, job.data);
    });
  }
}
