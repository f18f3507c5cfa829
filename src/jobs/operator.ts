/**
 * The operator's view of the queues (`jobs list`, `jobs failed`, `jobs retry`). Counts come from
 * pg-boss's job table in one statement: its getQueues() has no failed count, and a listing must
 * not install pg-boss's schema on a database whose workers never started.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { executorOn, jobId } from '../job-queue/queue.ts';
import { QUEUES, type QueueName, type QueuePayload } from '../job-queue/queues.ts';
import { QUEUE_WORKERS, type QueueWorker } from './workers.ts';

export interface QueueStats {
  queue: QueueName;
  /** Waiting to run now or later (created + retry). */
  queued: number;
  active: number;
  /** Failed every retry and still kept (pg-boss keeps them for its retention period). */
  failed: number;
  /** Copies in the queue's dead-letter queue. */
  deadLettered: number;
  completed: number;
}

const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

async function hasBossSchema(db: Db): Promise<boolean> {
  const r = await sql<{ t: string | null }>`SELECT to_regclass('pgboss.job')::text AS t`.execute(db);
  return Boolean(r.rows[0]?.t);
}

export async function queueStats(db: Db): Promise<QueueStats[]> {
  const stats = new Map<string, QueueStats>(
    QUEUE_NAMES.map((q) => [q, { queue: q, queued: 0, active: 0, failed: 0, deadLettered: 0, completed: 0 }]),
  );
  if (!(await hasBossSchema(db))) return [...stats.values()];
  const names = QUEUE_NAMES.flatMap((q) => [q, `${q}-dead`]);
  const r = await sql<{ name: string; state: string; n: string }>`
    SELECT name, state::text AS state, count(*)::text AS n FROM pgboss.job
    WHERE name = ANY(${names}::text[]) GROUP BY name, state`.execute(db);
  for (const row of r.rows) {
    const n = Number(row.n);
    const s = stats.get(row.name.replace(/-dead$/, ''));
    if (!s) continue;
    if (row.name.endsWith('-dead')) s.deadLettered += n;
    else if (row.state === 'created' || row.state === 'retry') s.queued += n;
    else if (row.state === 'active') s.active += n;
    else if (row.state === 'failed') s.failed += n;
    else if (row.state === 'completed') s.completed += n;
  }
  return [...stats.values()];
}

/**
 * The state of the jobs sent with these keys (the id is derived the same way as in send), for a
 * listing that shows when a row's work runs next: the schedule lives in pg-boss, not in the row.
 */
export async function jobsOfKeys(
  db: Db,
  queue: QueueName,
  keys: string[],
): Promise<Map<string, { state: string; startAfter: Date; retries: number }>> {
  const found = new Map<string, { state: string; startAfter: Date; retries: number }>();
  if (!keys.length || !(await hasBossSchema(db))) return found;
  const ids = new Map(keys.map((k) => [jobId(queue, k), k]));
  const r = await sql<{ id: string; state: string; start_after: Date; retry_count: number }>`
    SELECT id::text AS id, state::text AS state, start_after, retry_count FROM pgboss.job
    WHERE name = ${queue} AND id = ANY(${[...ids.keys()]}::uuid[])`.execute(db);
  for (const row of r.rows) {
    const key = ids.get(row.id);
    if (key) found.set(key, { state: row.state, startAfter: new Date(row.start_after), retries: Number(row.retry_count) });
  }
  return found;
}

export interface FailedJob {
  id: string;
  queue: QueueName;
  payload: unknown;
  attempts: number;
  error: string | null;
  failedAt: Date | null;
}

/** Jobs that failed every retry, newest first: what `jobs retry <id>` takes. */
export async function failedJobs(db: Db, limit: number): Promise<FailedJob[]> {
  if (!(await hasBossSchema(db))) return [];
  const r = await sql<{ id: string; name: QueueName; data: unknown; retry_count: number; output: unknown; completed_on: Date | null }>`
    SELECT id::text AS id, name, data, retry_count, output, completed_on FROM pgboss.job
    WHERE name = ANY(${QUEUE_NAMES}::text[]) AND state = 'failed'
    ORDER BY completed_on DESC NULLS LAST, id LIMIT ${limit}`.execute(db);
  return r.rows.map((j) => ({
    id: j.id,
    queue: j.name,
    payload: j.data,
    attempts: j.retry_count + 1,
    error: errorOf(j.output),
    failedAt: j.completed_on,
  }));
}

/** pg-boss stores a failure's output as the thrown error ({ message, … }) or what fail() was given. */
function errorOf(output: unknown): string | null {
  if (output && typeof output === 'object' && 'message' in output) return String((output as { message: unknown }).message);
  return output == null ? null : JSON.stringify(output);
}

const notRetryable = (message: string) => conflict(message, 'job_not_retryable');

/**
 * Gives a failed job one more attempt, in one transaction with the domain row it concerns (an
 * e-mail the dead letter marked failed goes back to pending). Refuses what a retry would do twice
 * or cannot do: an e-mail already sent, a payment with nothing pending, a job that has not failed.
 */
export async function retryJob(ctx: AppContext, id: string): Promise<{ queue: QueueName; payload: unknown }> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw badRequest(`"${id}" is not a job id (a UUID from quickchat jobs failed).`, 'invalid_job_id');
  const boss = ctx.jobs.boss();
  const found = await sql<{ name: string; state: string; data: unknown }>`
    SELECT name, state::text AS state, data FROM pgboss.job WHERE id = ${id}::uuid AND name = ANY(${QUEUE_NAMES}::text[])`.execute(ctx.db);
  const job = found.rows[0];
  if (!job) throw notFound(`No job ${id} in the queues ${QUEUE_NAMES.join(', ')}.`, 'job_not_found');
  if (job.state !== 'failed') throw notRetryable(`Job ${id} is ${job.state}, not failed: only failed jobs are retried.`);
  const queue = job.name as QueueName;
  const worker = QUEUE_WORKERS[queue] as QueueWorker<QueueName>;
  await ctx.db.transaction().execute(async (trx) => {
    const refusal = await worker.revive(trx, job.data as QueuePayload<QueueName>);
    if (refusal) throw notRetryable(`Job ${id} is not retried: ${refusal}`);
    await boss.retry(queue, id, { db: executorOn(trx) });
  });
  return { queue, payload: job.data };
}
