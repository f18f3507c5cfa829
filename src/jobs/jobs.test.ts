import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { createExpert } from '../../test/factories.ts';
import type { AppContext } from '../context.ts';
import type { JobDefinition } from '../job-queue/types.ts';
import { dailyDigest } from './daily-digest.ts';
import { findJob } from './registry.ts';
import { runJob } from './runner.ts';
import { startWorkers } from './scheduler.ts';

const HOUR = 3_600_000;

describe('daily-digest job', () => {
  let t: TestApp;
  let expertA: Awaited<ReturnType<typeof createExpert>>;
  let expertB: Awaited<ReturnType<typeof createExpert>>;

  async function question(expertProfileId: number, over: Record<string, unknown> = {}) {
    const now = t.clock.now;
    return t.ctx.db
      .insertInto('question')
      .values({
        expert_profile_id: expertProfileId,
        payer_email: 'asker@example.test',
        payer_first_name: 'Ann',
        title: `Q ${Math.random().toString(36).slice(2, 7)}`,
        price_cents: 5000,
        status: 'paid',
        sla_hours_snapshot: 24,
        sla_deadline: new Date(now.getTime() + 20 * HOUR),
        created_at: now,
        ...over,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_EMAIL: 'ops@example.test' });
    expertA = await createExpert(t.ctx.db);
    expertB = await createExpert(t.ctx.db);
    const noDigest = await createExpert(t.ctx.db);
    await t.ctx.db.updateTable('expert_profile').set({ daily_digest_enabled: false }).where('id', '=', noDigest.profile.id).execute();
    await question(expertA.profile.id, { title: 'Urgent one', sla_deadline: new Date(t.clock.now.getTime() + HOUR) });
    await question(expertA.profile.id, { title: 'Relaxed one' });
    await question(expertA.profile.id, { title: 'Answered', answered_at: t.clock.now, status: 'closed' });
    await question(expertA.profile.id, { title: 'Offer pending', question_tier: 'deep_dive', pricing_status: 'offer_pending' });
    await question(expertA.profile.id, { title: 'Hidden', hidden: true });
    await question(expertB.profile.id, { title: 'Only one for B' });
    await question(noDigest.profile.id, { title: 'Never mailed' });
  });
  afterAll(() => t.close());

  it('changes nothing in a dry run', async () => {
    const summary = await runJob(t.ctx, dailyDigest, { trigger: 'cli', dryRun: true });
    expect(summary).toMatchObject({ items: 2, questions: 3, queued: 0, failed: 0 });
    expect(await t.ctx.db.selectFrom('email_outbox').selectAll().execute()).toEqual([]);
  });

  it('mails each digest-enabled expert their pending questions with the urgent count, once a day', async () => {
    const summary = await runJob(t.ctx, dailyDigest, { trigger: 'schedule' });
    expect(summary).toMatchObject({ items: 2, queued: 2, alreadySent: 0, failed: 0, questions: 3 });
    const mails = await t.ctx.db.selectFrom('email_outbox').selectAll().orderBy('id').execute();
    expect(mails.map((m) => m.to_address).sort()).toEqual([expertA.user.email, expertB.user.email].sort());
    const a = mails.find((m) => m.to_address === expertA.user.email);
    expect(a?.subject).toBe('2 pending questions (1 urgent) waiting for your answer');
    expect(a?.text_body).toContain('Urgent one — Ann, $50.00, 1 h 0 min left');
    expect(a?.text_body).toContain('Relaxed one');
    expect(a?.text_body).not.toMatch(/Answered|Offer pending|Hidden|Never mailed/);
    expect(a?.dedupe_key).toBe(`digest:${expertA.profile.id}:2026-03-02`);

    const again = await runJob(t.ctx, dailyDigest, { trigger: 'schedule' });
    expect(again).toMatchObject({ queued: 0, alreadySent: 2 });
    expect(await t.ctx.db.selectFrom('email_outbox').select('id').execute()).toHaveLength(2);

    t.clock.advance(24 * HOUR);
    const nextDay = await runJob(t.ctx, dailyDigest, { trigger: 'schedule' });
    expect(nextDay).toMatchObject({ queued: 2 });
    const runs = await t.ctx.db.selectFrom('job_run').selectAll().where('job', '=', 'daily-digest').orderBy('id').execute();
    expect(runs.map((r) => [r.trigger, r.dry_run, r.status])).toEqual([
      ['cli', true, 'succeeded'],
      ['schedule', false, 'succeeded'],
      ['schedule', false, 'succeeded'],
      ['schedule', false, 'succeeded'],
    ]);
  });
});

describe('job runner', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ADMIN_EMAIL: 'ops@example.test' });
  });
  afterAll(() => t.close());

  it('records a failed run, alerts the admin once, and rethrows for the queue to retry', async () => {
    const broken: JobDefinition<AppContext> = {
      name: 'broken',
      summary: 'always fails',
      cron: null,
      run: async () => {
        throw new Error('storage unreachable');
      },
    };
    await expect(runJob(t.ctx, broken, { trigger: 'queue' })).rejects.toThrow('storage unreachable');
    const run = await t.ctx.db.selectFrom('job_run').selectAll().where('job', '=', 'broken').executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'failed', error: 'storage unreachable', trigger: 'queue' });
    const alert = await t.ctx.db.selectFrom('email_outbox').selectAll().where('template', '=', 'job-alert').execute();
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({
      to_address: 'ops@example.test',
      subject: '[QuickChat] Job broken failed',
      dedupe_key: `job-alert:${run.id}`,
    });
  });

  it('alerts when half or more of the items failed, not below', async () => {
    const half: JobDefinition<AppContext> = { name: 'half', summary: '', cron: null, run: async () => ({ items: 4, failed: 2 }) };
    const few: JobDefinition<AppContext> = { name: 'few', summary: '', cron: null, run: async () => ({ items: 4, failed: 1 }) };
    await runJob(t.ctx, half, { trigger: 'queue' });
    await runJob(t.ctx, few, { trigger: 'queue' });
    const alerts = await t.ctx.db.selectFrom('email_outbox').select('subject').where('template', '=', 'job-alert').execute();
    expect(alerts.map((a) => a.subject)).toContain('[QuickChat] Job half failed');
    expect(alerts.map((a) => a.subject)).not.toContain('[QuickChat] Job few failed');
  });

  it('reports job health in /metrics', async () => {
    await runJob(t.ctx, findJob('daily-digest') as JobDefinition<AppContext>, { trigger: 'cli' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/job_last_success_timestamp_seconds\{job="daily-digest"\} \d{10}/);
    expect(res.body).toMatch(/job_failures_total\{job="daily-digest"\} 0/);
  });
});

describe('scheduler on pg-boss', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ JOB_SCHEDULES: 'daily-digest=30 7 * * *' });
  });
  afterAll(() => t.close());

  it('schedules every job with its cron and runs a queued job through the worker', { timeout: 60_000 }, async () => {
    const workers = await startWorkers(t.ctx);
    try {
      const schedules = await workers.boss.getSchedules();
      expect(schedules.map((s) => [s.name, s.cron])).toContainEqual(['daily-digest', '30 7 * * *']);
      await workers.boss.send('daily-digest', {});
      let run: { status: string } | undefined;
      for (let i = 0; i < 100 && run?.status !== 'succeeded'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        run = await t.ctx.db
          .selectFrom('job_run')
          .select('status')
          .where('job', '=', 'daily-digest')
          .where('trigger', '=', 'schedule')
          .executeTakeFirst();
      }
      expect(run?.status).toBe('succeeded');
    } finally {
      await workers.stop();
    }
  });
});
