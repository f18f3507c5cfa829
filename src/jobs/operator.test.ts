import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeJobsDue } from '../../test/jobs.ts';
import { askQuickConsult, expertWithToken } from '../../test/question-helpers.ts';
import { deliverPendingEmails } from '../email/deliver.ts';
import { emailJobKey, queueEmail } from '../email/outbox.ts';
import { welcomeEmail } from '../email/templates.ts';
import { HttpError } from '../errors.ts';
import { jobId } from '../job-queue/queue.ts';
import type { Mailer } from '../mailer/mailer.ts';
import { failedJobs, queueStats, retryJob } from './operator.ts';

describe('queue operator: stats, failed jobs and retry', () => {
  let t: TestApp;
  let mailer: Mailer;
  beforeAll(async () => {
    t = await createTestApp();
    mailer = t.ctx.mailer;
  });
  afterAll(() => t.close());

  const email = async (to: string) =>
    (await queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      { template: 'welcome', to, ...welcomeEmail({ name: 'Ada', dashboardUrl: 'https://a.example' }) },
      t.clock.now,
    )) as number;
  const row = (id: number) => t.ctx.db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const stateOf = async (id: string) =>
    (await sql<{ state: string }>`SELECT state::text AS state FROM pgboss.job WHERE id = ${id}::uuid`.execute(t.ctx.db)).rows[0]?.state;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e) => (e instanceof HttpError ? { status: e.status, code: e.code, message: e.message } : Promise.reject(e)),
    );

  /** Queues an e-mail whose delivery job fails on its first and last attempt (retry limit 0). */
  async function failedEmail(to: string) {
    const id = await email(to);
    const job = jobId('email-deliver', emailJobKey(id));
    await sql`UPDATE pgboss.job SET retry_limit = 0 WHERE id = ${job}::uuid`.execute(t.ctx.db);
    t.ctx.mailer = { ...mailer, send: () => Promise.reject(new Error('smtp: 421 try later')) };
    try {
      expect(await deliverPendingEmails(t.ctx)).toMatchObject({ retried: 1, sent: 0 });
    } finally {
      t.ctx.mailer = mailer;
    }
    return { id, job };
  }

  it('counts a job that failed every retry, with its dead letter, and lists it with its error', async () => {
    const before = (await queueStats(t.ctx.db)).find((q) => q.queue === 'email-deliver');
    const { id, job } = await failedEmail('fail@example.test');
    expect(await stateOf(job)).toBe('failed');
    const after = (await queueStats(t.ctx.db)).find((q) => q.queue === 'email-deliver');
    expect(after).toMatchObject({ failed: (before?.failed ?? 0) + 1, deadLettered: (before?.deadLettered ?? 0) + 1 });
    const listed = (await failedJobs(t.ctx.db, 10)).find((j) => j.id === job);
    expect(listed).toMatchObject({ queue: 'email-deliver', payload: { outboxId: id }, attempts: 1, error: 'smtp: 421 try later' });
  });

  it('retries a failed e-mail once: the row goes back to pending and the next delivery sends it', async () => {
    const { id, job } = await failedEmail('again@example.test');
    // What the dead-letter worker does: the message is failed for good until an operator acts.
    await t.ctx.db.updateTable('email_outbox').set({ status: 'failed' }).where('id', '=', id).execute();
    expect(await retryJob(t.ctx, job)).toEqual({ queue: 'email-deliver', payload: { outboxId: id } });
    expect(await stateOf(job)).toBe('retry');
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
    await makeJobsDue(t.ctx, 'email-deliver');
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ sent: 1 });
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await refusal(retryJob(t.ctx, job))).toMatchObject({ status: 409, code: 'job_not_retryable' });
  });

  it('refuses to retry an e-mail that went out, and changes nothing', async () => {
    const { id, job } = await failedEmail('sent@example.test');
    await t.ctx.db.updateTable('email_outbox').set({ status: 'sent' }).where('id', '=', id).execute();
    const r = await refusal(retryJob(t.ctx, job));
    expect(r).toMatchObject({ status: 409, code: 'job_not_retryable' });
    expect(r?.message).toContain('already sent');
    expect(await stateOf(job)).toBe('failed');
    expect(await row(id)).toMatchObject({ status: 'sent' });
  });

  it('refuses a payment job whose payment has nothing pending', async () => {
    const { questionId } = await askQuickConsult(t, await expertWithToken(t));
    const payment = await t.ctx.db
      .selectFrom('payment')
      .select(['id', 'pending_action'])
      .where('question_id', '=', questionId)
      .executeTakeFirstOrThrow();
    expect(payment.pending_action).toBeNull();
    await t.ctx.jobs.send(t.ctx.db, 'payment-action', { paymentId: payment.id, action: 'capture' }, { key: 'operator-test' });
    const job = jobId('payment-action', 'operator-test');
    await sql`UPDATE pgboss.job SET state = 'failed' WHERE id = ${job}::uuid`.execute(t.ctx.db);
    const r = await refusal(retryJob(t.ctx, job));
    expect(r).toMatchObject({ status: 409, code: 'job_not_retryable' });
    expect(r?.message).toContain('has no pending capture');
    expect(await stateOf(job)).toBe('failed');
  });

  it('answers an unknown or malformed id with 404 and 400', async () => {
    expect(await refusal(retryJob(t.ctx, '00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404, code: 'job_not_found' });
    expect(await refusal(retryJob(t.ctx, 'nope'))).toMatchObject({ status: 400, code: 'invalid_job_id' });
  });
});
