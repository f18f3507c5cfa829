import { fromPglite, PgBoss } from 'pg-boss';
import type { AppContext } from '../context.ts';
import { finishJobRun, insertJobRun } from './queries.ts';
import { JOBS, scheduleOf } from './registry.ts';
import { runJob } from './runner.ts';

const DEAD_LETTER = 'jobs-dead-letter';
const RETRY = { retryLimit: 3, retryDelay: 30, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 15 * 60 } as const;

export interface Workers {
  boss: PgBoss;
  stop(): Promise<void>;
}

/**
 * Starts pg-boss on our database (PGlite or PostgreSQL) and a worker per job. pg-boss fires each
 * cron once per tick for the whole cluster (it records the tick in its schedule table), retries
 * with backoff, and moves a job that failed every retry to the dead-letter queue, which we record.
 */
export async function startWorkers(ctx: AppContext): Promise<Workers> {
  const log = ctx.log.child({ component: 'jobs' });
  const pglite = ctx.database.pglite;
  const boss = pglite
    ? new PgBoss({ db: fromPglite(pglite), backend: 'pglite' })
    : new PgBoss({ connectionString: ctx.database.connectionString as string, max: 4 });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  await boss.start();

  await boss.createQueue(DEAD_LETTER);
  await boss.work<{ job?: string }>(DEAD_LETTER, async (jobs) => {
    for (const j of jobs) {
      const name = String((j.data as { job?: string }).job ?? j.name);
      const now = ctx.now();
      const id = await insertJobRun(ctx.db, { job: name, trigger: 'queue', dryRun: false, attempt: RETRY.retryLimit, startedAt: now });
      await finishJobRun(ctx.db, id, { status: 'dead', error: 'failed after every retry', finishedAt: now });
      log.error({ job: name }, 'job moved to dead letter after every retry failed');
    }
  });

  for (const def of JOBS) {
    await boss.createQueue(def.name, { ...RETRY, deadLetter: DEAD_LETTER, policy: 'singleton' });
    await boss.work(def.name, { batchSize: 1 }, async ([job]) => {
      if (!job) return;
      await runJob(ctx, def, { trigger: 'schedule', attempt: job.retryCount, signal: job.signal });
    });
    const cron = scheduleOf(def, ctx.config.jobSchedules);
    if (cron) await boss.schedule(def.name, cron, { job: def.name }, { tz: 'UTC' });
    else await boss.unschedule(def.name);
  }
  log.info({ jobs: JOBS.map((j) => ({ name: j.name, cron: scheduleOf(j, ctx.config.jobSchedules) })) }, 'job workers started');
  return {
    boss,
    async stop() {
      await boss.stop({ graceful: true, timeout: 20_000, close: true });
    },
  };
}
