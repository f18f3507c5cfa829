import type { JobQueue } from './queue.ts';
import type { QueueName, QueuePayload } from './queues.ts';

/**
 * Fetches up to `limit` due jobs of one queue and runs `handle` on each, completing or failing it
 * (a failure is retried by pg-boss with the queue's back-off). For operators (`jobs run`) and tests:
 * the same path as a worker, without waiting for a poll.
 */
export async function drainQueue<Q extends QueueName>(
  jobs: JobQueue,
  queue: Q,
  limit: number,
  handle: (payload: QueuePayload<Q>) => Promise<void>,
): Promise<{ done: number; failed: number }> {
  const boss = jobs.boss();
  const due = await boss.fetch<QueuePayload<Q>>(queue, { batchSize: limit });
  let done = 0;
  let failed = 0;
  for (const job of due) {
    try {
      await handle(job.data);
      await boss.complete(queue, job);
      done++;
    } catch (err) {
      await boss.fail(queue, job, { message: (err as Error).message });
      failed++;
    }
  }
  return { done, failed };
}
