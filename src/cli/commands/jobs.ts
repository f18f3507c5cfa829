import { pino } from 'pino';
import { createContext } from '../../compose.ts';
import { selectJobStats } from '../../job-queue/queries.ts';
import { failedJobs, queueStats, retryJob } from '../../jobs/operator.ts';
import { findJob, JOBS, scheduleOf } from '../../jobs/registry.ts';
import { runJob } from '../../jobs/runner.ts';
import { startWorkers } from '../../jobs/scheduler.ts';
import { type Command, UsageError, withDatabase } from '../command.ts';

export const jobsList: Command = {
  name: 'jobs list',
  summary:
    'List the background jobs with their schedule (UTC), last run, last success and failure counts, then every queue with its depth, failures and dead letters.',
  json: true,
  async run({ config, values, out }) {
    const cfg = config();
    const [stats, queues] = await withDatabase(cfg, 'quickchat jobs list', (d) => Promise.all([selectJobStats(d.db), queueStats(d.db)]));
    const byJob = new Map(stats.map((s) => [s.job, s]));
    const rows = JOBS.map((j) => {
      const s = byJob.get(j.name);
      return {
        name: j.name,
        schedule: scheduleOf(j, cfg.jobSchedules),
        summary: j.summary,
        lastStatus: s?.last_status ?? null,
        lastStartedAt: s?.last_started_at?.toISOString() ?? null,
        lastSuccessAt: s?.last_success_at?.toISOString() ?? null,
        failures: s?.failures ?? 0,
        dead: s?.dead ?? 0,
      };
    });
    if (values.json) {
      out(JSON.stringify({ jobs: rows, queues }, null, 2));
      return 0;
    }
    for (const r of rows) {
      out(
        `${r.name.padEnd(22)} ${(r.schedule ?? 'on demand').padEnd(16)} last: ${r.lastStatus ?? 'never'} ${r.lastStartedAt ?? ''}  failures: ${r.failures}  dead: ${r.dead}`,
      );
      out(`${''.padEnd(22)} ${r.summary}`);
    }
    out('');
    out(
      `${'queue'.padEnd(22)} ${'queued'.padStart(7)} ${'active'.padStart(7)} ${'failed'.padStart(7)} ${'dead'.padStart(7)} ${'done'.padStart(7)}`,
    );
    for (const q of queues) {
      const cells = [q.queued, q.active, q.failed, q.deadLettered, q.completed].map((n) => String(n).padStart(7));
      out(`${q.queue.padEnd(22)} ${cells.join(' ')}`);
    }
    if (queues.some((q) => q.failed > 0)) out('Failed jobs: quickchat jobs failed; give one another attempt: quickchat jobs retry <id>');
    return 0;
  },
};

export const jobsFailed: Command = {
  name: 'jobs failed',
  summary: 'List the queue jobs that failed every retry, newest first, with their payload and last error.',
  json: true,
  options: { limit: { type: 'string' } },
  optionHelp: ['--limit N           at most N jobs (default 50)'],
  async run({ config, values, out }) {
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a whole number above 0, got "${values.limit}"`);
    const jobs = await withDatabase(config(), 'quickchat jobs failed', (d) => failedJobs(d.db, limit));
    if (values.json) {
      out(JSON.stringify({ jobs }, null, 2));
      return 0;
    }
    if (!jobs.length) out('No failed jobs.');
    for (const j of jobs) {
      out(`${j.id}  ${j.queue.padEnd(16)} ${JSON.stringify(j.payload)}  attempts: ${j.attempts}  ${j.failedAt?.toISOString() ?? ''}`);
      if (j.error) out(`${''.padEnd(38)}${j.error}`);
    }
    return 0;
  },
};

export const jobsRetry: Command = {
  name: 'jobs retry',
  args: '<id>',
  summary:
    'Give one failed queue job (an id from jobs failed) one more attempt; its e-mail or payment row goes back to pending. Refuses an e-mail already sent or a payment with nothing pending.',
  json: true,
  async run({ config, values, positionals, out }) {
    const id = positionals[0];
    if (!id) throw new UsageError('Name a job id: quickchat jobs failed lists them.');
    const cfg = config();
    const log = pino({ level: 'silent' });
    const r = await withDatabase(cfg, 'quickchat jobs retry', async (d) => {
      const ctx = createContext(cfg, d, log);
      await ctx.jobs.start();
      try {
        return await retryJob(ctx, id);
      } finally {
        await ctx.jobs.stop();
      }
    });
    out(
      values.json
        ? JSON.stringify({ id, ...r, state: 'retry' }, null, 2)
        : `${id} (${r.queue} ${JSON.stringify(r.payload)}) will run again on the next worker poll.`,
    );
    return 0;
  },
};

export const jobsRun: Command = {
  name: 'jobs run',
  args: '<name>',
  summary: 'Run one job now, in this process, and print its summary. --dry-run reports what it would do and changes nothing.',
  json: true,
  options: { 'dry-run': { type: 'boolean' } },
  optionHelp: ['--dry-run           change nothing, report what would be done'],
  async run({ config, values, positionals, out }) {
    const name = positionals[0];
    const def = name ? findJob(name) : undefined;
    if (!def) throw new UsageError(`Name a job: ${JOBS.map((j) => j.name).join(', ')}`);
    const cfg = config();
    const log = pino({ level: values.json ? 'silent' : cfg.logLevel });
    const summary = await withDatabase(cfg, `quickchat jobs run ${def.name}`, async (d) => {
      const ctx = createContext(cfg, d, log);
      await ctx.jobs.start();
      try {
        return await runJob(ctx, def, { trigger: 'cli', dryRun: Boolean(values['dry-run']) });
      } finally {
        await ctx.jobs.stop();
      }
    });
    out(
      values.json
        ? JSON.stringify({ job: def.name, dryRun: Boolean(values['dry-run']), summary }, null, 2)
        : `${def.name}: ${JSON.stringify(summary)}`,
    );
    return summary.failed > 0 ? 1 : 0;
  },
};

export const worker: Command = {
  name: 'worker',
  summary: 'Run the background job workers without the HTTP API (pair with WORKERS=false on API instances). Stops on SIGTERM/SIGINT.',
  async run({ config }) {
    const cfg = config();
    const log = pino({ level: cfg.logLevel });
    await withDatabase(cfg, 'quickchat worker', async (d) => {
      const workers = await startWorkers(createContext(cfg, d, log));
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      log.info('stopping workers');
      await workers.stop();
    });
    return 0;
  },
};
