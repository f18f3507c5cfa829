import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, TEST_SECRET, type TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { jobsOf, makeJobsDue } from '../../test/jobs.ts';
import { runCli } from '../cli/main.ts';
import { jobId } from '../job-queue/queue.ts';
import { type Mailer, PermanentMailError } from '../mailer/mailer.ts';
import { deliverPendingEmails, MAX_EMAIL_ATTEMPTS, requeueUnfinishedEmails } from './deliver.ts';
import { emailJobKey, queueEmail } from './outbox.ts';
import { magicLinkEmail, welcomeEmail } from './templates.ts';

describe('templates', () => {
  it('magic link: the link and the code in both parts, HTML-escaped', () => {
    const link = 'https://app.example/auth/magic-link?token=abc&x=<y>';
    const m = magicLinkEmail({ link, code: '123456', minutes: 15 });
    expect(m.subject).not.toContain('123456');
    expect(m.text).toContain(link);
    expect(m.text).toContain('123456');
    expect(m.text).toContain('15 minutes');
    expect(m.html).toContain('https://app.example/auth/magic-link?token=abc&amp;x=&lt;y&gt;');
    expect(m.html).not.toContain('<y>');
  });

  it('welcome: greets by name, escapes it, links the dashboard', () => {
    const m = welcomeEmail({ name: '<b>Ada</b>', dashboardUrl: 'https://app.example/dashboard' });
    expect(m.text).toContain('Welcome to QuickChat, <b>Ada</b>!');
    expect(m.html).toContain('&lt;b&gt;Ada&lt;/b&gt;');
    expect(m.html).toContain('href="https://app.example/dashboard"');
    expect(welcomeEmail({ name: '', dashboardUrl: 'https://a.example' }).text).toMatch(/^Welcome to QuickChat!/);
  });
});

describe('deliverPendingEmails with the outbox mailer', () => {
  let t: TestApp;
  let dataDir: string;
  const realMailer = () => t.ctx.mailer;
  let outboxMailer: Mailer;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'qc-mail-'));
    t = await createTestApp({ DATA_DIR: dataDir, MAIL_FROM: 'QuickChat <hello@quickchat.example>' });
    outboxMailer = realMailer();
  });
  afterEach(() => {
    t.ctx.mailer = outboxMailer;
  });
  afterAll(() => t.close());

  const queue = (to: string, template = 'welcome', dedupeKey?: string) =>
    queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      { template, to, dedupeKey, ...welcomeEmail({ name: 'Ada', dashboardUrl: 'https://app.example/dashboard' }) },
      t.clock.now,
    );
  const row = (id: number) => t.ctx.db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('writes each message once as an .eml file, marks it sent, and never sends it again', async () => {
    const a = (await queue('a@example.test')) as number;
    const b = (await queue('b@example.test')) as number;
    expect(await queue('b@example.test', 'welcome', 'same-key')).not.toBeNull();
    expect(await queue('b@example.test', 'welcome', 'same-key')).toBeNull();
    const first = await deliverPendingEmails(t.ctx, { limit: 10 });
    expect(first).toEqual({ sent: 3, retried: 0, failed: 0, abandoned: 0 });
    // One delivery job per new message, its id derived from the outbox id; the duplicate queued none.
    const jobs = await jobsOf(t.ctx, 'email-deliver');
    expect(jobs.filter((j) => j.id === jobId('email-deliver', emailJobKey(a)))).toMatchObject([
      { state: 'completed', data: { outboxId: a } },
    ]);
    expect(jobs.filter((j) => j.state === 'completed')).toHaveLength(3);
    const sent = await row(a);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: `<outbox-${a}@quickchat.example>` });
    expect(sent.sent_at?.getTime()).toBe(t.clock.now.getTime());
    const eml = readFileSync(join(dataDir, 'outbox', `${b}.eml`), 'utf8');
    expect(eml).toMatch(/^To: b@example\.test$/m);
    expect(eml).toMatch(/^Subject: Welcome to QuickChat$/m);
    expect(eml).toMatch(/^X-QuickChat-Template: welcome$/im);
    expect(await deliverPendingEmails(t.ctx)).toEqual({ sent: 0, retried: 0, failed: 0, abandoned: 0 });
  });

  it('erases the sign-in secret from the table once a magic-link e-mail is delivered', async () => {
    const id = (await queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      {
        template: 'magic_link',
        to: 'm@example.test',
        ...magicLinkEmail({ link: 'https://app.example/auth/magic-link?token=SECRET', code: '654321', minutes: 15 }),
      },
      t.clock.now,
    )) as number;
    await deliverPendingEmails(t.ctx);
    const r = await row(id);
    expect(r.status).toBe('sent');
    expect(`${r.text_body}${r.html_body}`).not.toContain('SECRET');
    expect(`${r.subject}${r.text_body}${r.html_body}`).not.toContain('654321');
    expect(readFileSync(join(dataDir, 'outbox', `${id}.eml`), 'utf8')).toContain('654321');
  });

  it('retries a temporary failure with growing delays, then fails for good after the last attempt', async () => {
    let calls = 0;
    t.ctx.mailer = {
      kind: 'smtp',
      close: async () => {},
      send: async () => {
        calls++;
        throw new Error('451 try later');
      },
    };
    const id = (await queue('retry@example.test')) as number;
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ retried: 1 });
    let r = await row(id);
    expect(r).toMatchObject({ status: 'pending', attempts: 1, last_error: '451 try later' });
    // pg-boss holds the retry back for its back-off (retry_count counts fetches, so 0 until the next one).
    const [job] = (await jobsOf(t.ctx, 'email-deliver')).filter((j) => j.id === jobId('email-deliver', emailJobKey(id)));
    expect(job).toMatchObject({ state: 'retry', retry_count: 0 });
    expect(job?.start_after.getTime()).toBeGreaterThan(Date.now());
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ retried: 0 });
    expect(calls).toBe(1);
    for (let i = 0; i < 20 && r.status === 'pending'; i++) {
      t.clock.advance(7 * 3600 * 1000);
      await makeJobsDue(t.ctx, 'email-deliver');
      await deliverPendingEmails(t.ctx);
      r = await row(id);
    }
    expect(r).toMatchObject({ status: 'failed', attempts: MAX_EMAIL_ATTEMPTS });
    expect(calls).toBe(MAX_EMAIL_ATTEMPTS);
    // The last attempt settled the row, so the job completed instead of being dead-lettered.
    expect((await jobsOf(t.ctx, 'email-deliver')).find((j) => j.id === job?.id)).toMatchObject({ state: 'completed' });
  });

  it('fails a permanent rejection at once', async () => {
    t.ctx.mailer = {
      kind: 'smtp',
      close: async () => {},
      send: async () => {
        throw new PermanentMailError('SMTP 550: no such user');
      },
    };
    const id = (await queue('gone@example.test')) as number;
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ failed: 1 });
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'SMTP 550: no such user' });
  });

  it('marks a message whose attempt died mid-send as failed instead of sending it a second time', async () => {
    const id = (await queue('crash@example.test')) as number;
    // What a worker killed between claiming and recording leaves: the row `sending`, the job retried.
    await t.ctx.db.updateTable('email_outbox').set({ status: 'sending', attempts: 1 }).where('id', '=', id).execute();
    const send = vi.fn();
    t.ctx.mailer = { kind: 'smtp', close: async () => {}, send };
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ abandoned: 1, sent: 0 });
    expect(send).not.toHaveBeenCalled();
    expect((await row(id)).status).toBe('failed');
  });

  it('gives rows without a delivery job (queued before pg-boss, or by hand) their job once', async () => {
    const [{ id }] = (await t.ctx.db
      .insertInto('email_outbox')
      .values({
        template: 'welcome',
        to_address: 'old@example.test',
        subject: 's',
        text_body: 't',
        html_body: 'h',
        created_at: t.clock.now,
      })
      .returning('id')
      .execute()) as [{ id: number }];
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ sent: 0 });
    expect(await requeueUnfinishedEmails(t.ctx)).toBeGreaterThanOrEqual(1);
    await requeueUnfinishedEmails(t.ctx);
    expect((await jobsOf(t.ctx, 'email-deliver')).filter((j) => (j.data as { outboxId: number }).outboxId === id)).toHaveLength(1);
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ sent: 1 });
    expect((await row(id)).status).toBe('sent');
  });

  // Concurrent fetches only matter with real concurrent connections: PostgreSQL only.
  it.runIf(isPostgres())('sends each message exactly once when two workers run at the same time', async () => {
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push((await queue(`race${i}@example.test`)) as number);
    const sentIds: number[] = [];
    t.ctx.mailer = {
      kind: 'smtp',
      close: async () => {},
      send: async (m) => {
        sentIds.push(m.id);
        await new Promise((r) => setTimeout(r, 5));
        return { messageId: `m-${m.id}` };
      },
    };
    const [x, y] = await Promise.all([deliverPendingEmails(t.ctx, { limit: 20 }), deliverPendingEmails(t.ctx, { limit: 20 })]);
    expect(x.sent + y.sent).toBe(20);
    expect(sentIds.sort((p, q) => p - q)).toEqual(ids);
  });

  it('`mail list` and `mail show` read the .eml files (no database needed)', async () => {
    const id = (await queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      {
        template: 'magic_link',
        to: 'cli@example.test',
        ...magicLinkEmail({ link: 'https://app.example/auth/magic-link?token=CLITOKEN', code: '111222', minutes: 15 }),
      },
      t.clock.now,
    )) as number;
    await deliverPendingEmails(t.ctx);
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('JWT_SECRET', TEST_SECRET);
    vi.stubEnv('DATABASE_URL', '');
    try {
      const lines: string[] = [];
      expect(await runCli(['mail', 'list', '--json'], (l) => lines.push(l))).toBe(0);
      const list = JSON.parse(lines.join('\n'));
      expect(list.messages.find((m: { id: number }) => m.id === id)).toMatchObject({ to: 'cli@example.test', template: 'magic_link' });
      const shown: string[] = [];
      expect(await runCli(['mail', 'show', String(id), '--json'], (l) => shown.push(l))).toBe(0);
      const msg = JSON.parse(shown.join('\n'));
      expect(msg.links).toEqual(['https://app.example/auth/magic-link?token=CLITOKEN']);
      expect(msg.text).toContain('111222');
      expect(msg.from).toContain('hello@quickchat.example');
      const text: string[] = [];
      expect(await runCli(['mail', 'show', String(id)], (l) => text.push(l))).toBe(0);
      expect(text.join('\n')).toContain('https://app.example/auth/magic-link?token=CLITOKEN');
      const human: string[] = [];
      expect(await runCli(['mail', 'list'], (l) => human.push(l))).toBe(0);
      expect(human.join('\n')).toContain('cli@example.test');
      expect(await runCli(['mail', 'show', '99999'], () => {})).toBe(1);
      expect(await runCli(['mail', 'show', 'abc'], () => {})).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(existsSync(join(dataDir, 'outbox', `${id}.eml`))).toBe(true);
  });
});
