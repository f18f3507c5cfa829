import { sql } from 'kysely';
import type { AppContext } from '../src/context.ts';
import type { QueueName } from '../src/job-queue/queues.ts';

/**
 * pg-boss schedules a retry on the database's clock, not on the injected one: tests that advance
 * ctx.now to "after the back-off" make the queue's waiting jobs due the same way.
 */
export async function makeJobsDue(ctx: AppContext, queue: QueueName): Promise<void> {
  await sql`UPDATE pgboss.job SET start_after = now() WHERE name = ${queue} AND state IN ('created', 'retry')`.execute(ctx.db);
}

/** The pg-boss jobs of one queue, oldest first, for assertions. */
export async function jobsOf(ctx: AppContext, queue: QueueName) {
  const r = await sql<{ id: string; state: string; retry_count: number; data: unknown; start_after: Date }>`
    SELECT id, state, retry_count, data, start_after FROM pgboss.job WHERE name = ${queue} ORDER BY created_on, id`.execute(ctx.db);
  return r.rows;
}
