import type { QueueOptions } from 'pg-boss';

/**
 * Every queue of after-commit work, with its payload and retry policy. Names and policies only:
 * the handlers live with their domains and are wired in workers.ts, so a domain that sends a job
 * imports nothing but this list.
 */
export const QUEUES = {
  /**
   * One e-mail of the outbox. Back-off 1 min, 2 min, 4 min … capped at 6 h, 8 attempts; the
   * handler itself refuses to send a message twice (see email/deliver.ts).
   */
  'email-deliver': {
    policy: { retryLimit: 7, retryDelay: 60, retryBackoff: true, retryDelayMax: 6 * 3600, expireInSeconds: 10 * 60 },
  },
  /**
   * A capture or release the payment row records as pending_action. The request that decided it
   * tries once right after its commit; this job, a minute later, retries until the provider
   * confirms (back-off 1 min … 6 h, about five days in all: inside the 7-day hold).
   */
  'payment-action': {
    policy: { retryLimit: 24, retryDelay: 60, retryBackoff: true, retryDelayMax: 6 * 3600, expireInSeconds: 5 * 60 },
  },
  /**
   * One item of the file-deletion outbox: a stored object, a video, or a payment intent's personal
   * metadata of an erased row. Deletes are idempotent, so a retry is always safe. About eight days
   * of retries (1 min … 6 h); a job that exhausts them leaves its item pending, failing in /metrics
   * and `privacy outbox` until an operator's `jobs retry`: an erased file is never given up on.
   */
  'file-delete': {
    policy: { retryLimit: 40, retryDelay: 60, retryBackoff: true, retryDelayMax: 6 * 3600, expireInSeconds: 10 * 60 },
  },
} as const satisfies Record<string, { policy: QueueOptions }>;

export type QueueName = keyof typeof QUEUES;

interface QueuePayloads {
  'email-deliver': { outboxId: number };
  'payment-action': { paymentId: number; action: 'capture' | 'cancel' };
  'file-delete': { itemId: number };
}

export type QueuePayload<Q extends QueueName> = QueuePayloads[Q];

/** How many times a queue runs one job before it gives up: its first try and every retry. */
export function maxAttempts(queue: QueueName): number {
  return QUEUES[queue].policy.retryLimit + 1;
}
