import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';
import type { JobSummary } from './types.ts';

export async function insertJobRun(
  db: Db,
  run: { job: string; trigger: 'schedule' | 'cli' | 'queue'; dryRun: boolean; attempt: number; startedAt: Date },
) {
  const row = await db
    .insertInto('job_run')
    .values({ job: run.job, trigger: run.trigger, dry_run: run.dryRun, attempt: run.attempt, status: 'running', started_at: run.startedAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishJobRun(
  db: Db,
  id: number,
  result: { status: 'succeeded' | 'failed' | 'dead'; summary?: JobSummary; error?: string; finishedAt: Date },
) {
  await db
    .updateTable('job_run')
    .set({
      status: result.status,
      summary: result.summary ? toJson(result.summary) : null,
      error: result.error ?? null,
      finished_at: result.finishedAt,
    })
    .where('id', '=', id)
    .execute();
}

export interface JobStats {
  job: string;
  last_status: string | null;
  last_started_at: Date | null;
  last_success_at: Date | null;
  last_duration_ms: number | null;
  failures: number;
  dead: number;
}

/** Per job: the latest run, the latest success and failure counts — cluster-wide, from the table. */
export async function selectJobStats(db: Db): Promise<JobStats[]> {
  const r = await sql<JobStats>`
    SELECT job,
           (array_agg(status ORDER BY started_at DESC))[1] AS last_status,
           max(started_at) AS last_started_at,
           max(finished_at) FILTER (WHERE status = 'succeeded' AND NOT dry_run) AS last_success_at,
           (array_agg((extract(epoch FROM finished_at - started_at) * 1000)::int ORDER BY started_at DESC)
              FILTER (WHERE finished_at IS NOT NULL))[1] AS last_duration_ms,
           count(*) FILTER (WHERE status = 'failed')::int AS failures,
           count(*) FILTER (WHERE status = 'dead')::int AS dead
    FROM job_run GROUP BY job ORDER BY job`.execute(db);
  return r.rows;
}
