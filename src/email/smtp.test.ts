import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, testConfig } from '../../test/app.ts';
import { createMailer } from '../mailer/factory.ts';
import { PermanentMailError } from '../mailer/mailer.ts';
import { createSmtpMailer } from '../mailer/smtp-mailer.ts';
import { deliverPendingEmails } from './deliver.ts';
import { queueEmail } from './outbox.ts';
import { magicLinkEmail } from './templates.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on loopback: rejects mailboxes starting with "nobody" (550) or "busy" (451). */
async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('nobody')) return cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
      if (address.address.startsWith('busy')) return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('SMTP mailer against a local smtp-server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({
      MAIL: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      MAIL_FROM: 'QuickChat <mail@quickchat.example>',
    });
  });
  afterAll(async () => {
    await t.ctx.mailer.close();
    await t.close();
    await smtp.close();
  });

  it('is chosen by MAIL=smtp and delivers an outbox row with both parts and a stable Message-ID', async () => {
    expect(t.ctx.mailer.kind).toBe('smtp');
    const id = (await queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      {
        template: 'magic_link',
        to: 'ada@example.test',
        ...magicLinkEmail({ link: 'https://app.example/auth/magic-link?token=T0K', code: '424242', minutes: 15 }),
      },
      t.clock.now,
    )) as number;
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got).toMatchObject({ from: 'mail@quickchat.example', to: ['ada@example.test'] });
    const parsed = await simpleParser(got.raw);
    expect(parsed.subject).toBe('Your QuickChat sign-in link');
    expect(parsed.messageId).toBe(`<outbox-${id}@quickchat.example>`);
    expect(parsed.text).toContain('https://app.example/auth/magic-link?token=T0K');
    expect(parsed.html).toContain('424242');
    const row = await t.ctx.db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', provider_message_id: `<outbox-${id}@quickchat.example>` });
  });

  it('turns a 5xx reply into a permanent failure and a 4xx into a retry', async () => {
    const mailer = createSmtpMailer({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      user: null,
      pass: null,
      from: 'x@quickchat.example',
    });
    const base = { id: 1, template: 't', subject: 's', text: 'x', html: '<p>x</p>' };
    await expect(mailer.send({ ...base, to: 'nobody@example.test' })).rejects.toBeInstanceOf(PermanentMailError);
    const busy = mailer.send({ ...base, to: 'busy@example.test' });
    await expect(busy).rejects.toThrow(/451|later/i);
    await expect(busy).rejects.not.toBeInstanceOf(PermanentMailError);
    await mailer.close();
    const nobody = (await queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      { template: 't', to: 'nobody@example.test', subject: 's', text: 'x', html: 'x' },
      t.clock.now,
    )) as number;
    const later = (await queueEmail(
      t.ctx.jobs,
      t.ctx.db,
      { template: 't', to: 'busy@example.test', subject: 's', text: 'x', html: 'x' },
      t.clock.now,
    )) as number;
    expect(await deliverPendingEmails(t.ctx)).toMatchObject({ failed: 1, retried: 1 });
    const rows = await t.ctx.db
      .selectFrom('email_outbox')
      .select(['id', 'status'])
      .where('id', 'in', [nobody, later])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['failed', 'pending']);
  });

  it('fails configuration without SMTP_HOST', () => {
    expect(() => testConfig({ MAIL: 'smtp' })).toThrow(/SMTP_HOST/);
    expect(() => testConfig({ MAIL: 'carrier-pigeon' })).toThrow(/MAIL must be outbox or smtp/);
    expect(createMailer(testConfig(), pino({ level: 'silent' })).kind).toBe('outbox');
  });
});
