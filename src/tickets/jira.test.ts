import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleTestApp, createConsoleTestApp, signedInAdmin } from '../../test/admin-console.ts';
import { type JiraStub, startJiraStub } from '../../test/jira-stub.ts';
import { ConfigError } from '../config.ts';
import { ticketsConfig } from './config.ts';
import { createTicketProvider } from './factory.ts';
import { createJiraProvider } from './jira.ts';
import { TicketProviderError } from './provider.ts';

const AUTH = `Basic ${Buffer.from('bot@mindpick.test:tok').toString('base64')}`;
const input = {
  feedbackId: 7,
  type: 'feature' as const,
  priority: 'critical' as const,
  message: 'Line one\nline two',
  pageUrl: '/ask',
  adminUrl: 'https://admin.test/feedback?id=7',
  attachments: [{ name: 'a.png', url: 'https://files.test/a.png' }],
};

describe('jira ticket provider (against a local Jira stub)', () => {
  let jira: JiraStub;
  beforeAll(async () => {
    jira = await startJiraStub(AUTH);
  });
  afterAll(() => jira.close());
  const provider = (over: Partial<{ apiToken: string; baseUrl: string }> = {}) =>
    createJiraProvider({
      kind: 'jira',
      baseUrl: jira.url,
      email: 'bot@mindpick.test',
      apiToken: 'tok',
      projectKey: 'QC',
      webhookSecret: null,
      ...over,
    });

  it('creates an issue with Basic auth, a one-line summary, ADF description, type, priority and labels', async () => {
    const ticket = await provider().create(input);
    expect(ticket).toEqual({ key: expect.stringMatching(/^QC-\d+$/), id: expect.any(String), url: `${jira.url}/browse/${ticket.key}` });
    const fields = jira.requests.at(-1)!.body.fields!;
    expect(fields).toMatchObject({
      project: { key: 'QC' },
      summary: '[FEEDBACK-7] Line one line two',
      issuetype: { name: 'Story' },
      priority: { name: 'Highest' },
      labels: ['feedback', 'feedback-feature'],
      description: { type: 'doc', version: 1 },
    });
    expect(JSON.stringify(fields.description)).toContain('https://admin.test/feedback?id=7');
  });

  it('turns a refusal, a failure or an unreachable Jira into a TicketProviderError', async () => {
    await expect(provider({ apiToken: 'wrong' }).create(input)).rejects.toThrow(/HTTP 401/);
    jira.failNext(1, 500);
    await expect(provider().create(input)).rejects.toBeInstanceOf(TicketProviderError);
    await expect(provider({ baseUrl: 'http://127.0.0.1:1' }).create(input)).rejects.toThrow(/could not be reached/);
  });

  it('is off unless TICKETS=jira, which needs every JIRA_* variable', () => {
    expect(createTicketProvider(ticketsConfig({}))).toBeNull();
    expect(() => ticketsConfig({ TICKETS: 'jira', JIRA_BASE_URL: jira.url })).toThrow(ConfigError);
    expect(() => ticketsConfig({ TICKETS: 'github' })).toThrow(/off or jira/);
    expect(() => ticketsConfig({ JIRA_WEBHOOK_SECRET: 'short' })).toThrow(/16 characters/);
  });

  describe('through the console', () => {
    let t: ConsoleTestApp;
    beforeAll(async () => {
      t = await createConsoleTestApp({
        TICKETS: 'jira',
        JIRA_BASE_URL: jira.url,
        JIRA_EMAIL: 'bot@mindpick.test',
        JIRA_API_TOKEN: 'tok',
        JIRA_PROJECT_KEY: 'QC',
      });
    });
    afterAll(() => t.close());

    it('answers 502 without Jira’s details when Jira fails, and files nothing', async () => {
      const { browser } = await signedInAdmin(t);
      const f = await t.ctx.db
        .insertInto('feedback')
        .values({ type: 'bug', message: 'Broken checkout button.' })
        .returning('id')
        .executeTakeFirstOrThrow();
      jira.failNext(1, 500);
      const res = await browser.call('POST', `/api/feedback/jira?id=${f.id}`);
      expect([res.statusCode, res.json().code]).toEqual([502, 'ticket_provider_failed']);
      expect(res.body).not.toMatch(/jira-prod|internal detail|127\.0\.0\.1/);
      const row = await t.ctx.db.selectFrom('feedback').select('jira_issue_key').where('id', '=', f.id).executeTakeFirstOrThrow();
      expect(row.jira_issue_key).toBeNull();
      expect(await t.ctx.db.selectFrom('admin_audit_log').select('id').where('action', '=', 'feedback.ticket_create').execute()).toEqual(
        [],
      );
      const retry = await browser.call('POST', `/api/feedback/jira?id=${f.id}`);
      expect(retry.statusCode).toBe(201);
    });

    it('keeps one key when two clicks race', async () => {
      const { browser } = await signedInAdmin(t);
      const f = await t.ctx.db
        .insertInto('feedback')
        .values({ type: 'bug', message: 'Double click on create.' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const [a, b] = await Promise.all([
        browser.call('POST', `/api/feedback/jira?id=${f.id}`),
        browser.call('POST', `/api/feedback/jira?id=${f.id}`),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
      const winner = a.statusCode === 201 ? a : b;
      const loser = a.statusCode === 201 ? b : a;
      const row = await t.ctx.db.selectFrom('feedback').select('jira_issue_key').where('id', '=', f.id).executeTakeFirstOrThrow();
      expect([row.jira_issue_key, loser.json().ticket_key]).toEqual([winner.json().jira_ticket.key, winner.json().jira_ticket.key]);
      const audits = await t.ctx.db
        .selectFrom('admin_audit_log')
        .select('id')
        .where('action', '=', 'feedback.ticket_create')
        .where('target_id', '=', String(f.id))
        .execute();
      expect(audits).toHaveLength(1);
    });
  });
});
