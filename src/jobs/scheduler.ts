import type { PgBoss } from 'pg-boss';
import type { AppContext } from '../context.ts';
import { requeueUnfinishedEmails } from '../email/deliver.ts';
import { requeuePendingFileDeletions } from '../file-deletion/service.ts';
import { finishJobRun, insertJobRun } from '../job-queue/queries.ts';
import { JOBS, scheduleOf } from './registry.ts';
import { runJob } from './runner.ts';
import { startQueueWorkers } from './workers.ts';

const DEAD_LETTER = 'jobs-dead-letter';
const RETRY = { retryLimit: 3, retryDelay: 30, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 15 * 60 } as const;

export interface Workers {
  boss: PgBoss;
  stop(): Promise<void>;
}

/**
 * Starts the workers on ctx.jobs's pg-boss (PGlite or PostgreSQL): one per scheduled job and one
 * per queue of after-commit work (workers.ts). pg-boss fires each cron once per tick for the whole
 * cluster (it records the tick in its schedule table), retries with back-off, and moves a job that
 * failed every retry to a dead-letter queue, which we record.
 */
export async function startWorkers(ctx: AppContext): Promise<Workers> {
  const log = ctx.log.child({ component: 'jobs' });
  await ctx.jobs.start();
  const boss = ctx.jobs.boss();

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
  await startQueueWorkers(ctx, log);
  // Rows queued before their work moved onto pg-boss (or left without a job) get theirs now.
  const requeued = { emails: await requeueUnfinishedEmails(ctx), fileDeletions: await requeuePendingFileDeletions(ctx) };
  log.info({ jobs: JOBS.map((j) => ({ name: j.name, cron: scheduleOf(j, ctx.config.jobSchedules) })), requeued }, 'job workers started');
  return {
    boss,
    async stop() {
      await ctx.jobs.stop();
    },
  };
}
