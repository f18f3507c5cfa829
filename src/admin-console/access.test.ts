/**
 * The console's listener beyond the smoke flows: the defects of contract §5 fixed (roles, disabled
 * and revoked sessions on every route, CSRF, no debug routes, no internals in errors), validation,
 * JSON errors under /api and the SPA fallback everywhere else, tags, analytics, the Jira webhook.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowser, type ConsoleTestApp, createConsoleTestApp, signedInAdmin } from '../../test/admin-console.ts';

const WEBHOOK_SECRET = 'jira-webhook-secret-0123456789';
const sign = (body: string) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;

describe('admin console listener: access, CSRF, errors, SPA', () => {
  let t: ConsoleTestApp;
  const staticDir = mkdtempSync(join(tmpdir(), 'qc-console-dist-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("console")');
  beforeAll(async () => {
    t = await createConsoleTestApp({ ADMIN_STATIC_DIR: staticDir, JIRA_WEBHOOK_SECRET: WEBHOOK_SECRET });
  });
  afterAll(() => t.close());

  const feedback = async (over: Partial<{ type: 'bug' | 'feature'; jira_issue_key: string; rating: number; page_url: string }> = {}) => {
    const now = t.clock.now;
    const row = await t.ctx.db
      .insertInto('feedback')
      .values({
        type: 'bug',
        message: 'Something is broken here.',
        context: JSON.stringify({ device_type: 'desktop', journey_stage: 'retention' }),
        created_at: now,
        updated_at: now,
        ...over,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const audits = async () =>
    (
      await t.ctx.db
        .selectFrom('admin_audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  describe('roles (contract §5 defect 1)', () => {
    it('refuses team management, revocation, flag changes and deletions to a support_admin, changing nothing', async () => {
      const { browser } = await signedInAdmin(t, 'support_admin');
      const target = await signedInAdmin(t, 'support_admin');
      const id = await feedback();
      const before = await audits();
      for (const [method, url, body] of [
        ['POST', '/api/team', { email: 'mint@example.test', name: 'Mint' }],
        ['DELETE', `/api/team?id=${target.admin.id}`, undefined],
        ['POST', '/api/team/revoke-sessions', undefined],
        ['POST', '/api/team/revoke-session', undefined],
        ['POST', '/api/flags', { key: 'x_flag', name: 'X flag' }],
        ['PATCH', '/api/flags?key=marketing_module', { enabled: false }],
        ['DELETE', '/api/flags/marketing_module', undefined],
        ['DELETE', `/api/feedback/${id}`, undefined],
      ] as const) {
        const res = await browser.call(method, url, body);
        expect([res.statusCode, res.json().code], `${method} ${url}`).toEqual([403, 'admin_role_required']);
      }
      expect(await audits()).toBe(before);
      expect(await t.ctx.db.selectFrom('user').select('id').where('email', '=', 'mint@example.test').executeTakeFirst()).toBeUndefined();
      expect(
        (await t.ctx.db.selectFrom('admin_users').select('disabled').where('id', '=', target.admin.id).executeTakeFirstOrThrow()).disabled,
      ).toBe(false);
      expect((await target.browser.call('GET', '/api/me')).statusCode).toBe(200);
      expect(
        (await t.ctx.db.selectFrom('feature_flags').select('enabled').where('key', '=', 'marketing_module').executeTakeFirstOrThrow())
          .enabled,
      ).toBe(true);
      // Reading the team and triaging are support work.
      expect((await browser.call('GET', '/api/team')).statusCode).toBe(200);
      expect((await browser.call('PATCH', `/api/feedback/${id}`, { status: 'in_progress' })).statusCode).toBe(200);
    });

    it('adds admins as support_admin unless a super_admin asks for a role, and re-enables a removed one', async () => {
      const { browser } = await signedInAdmin(t);
      const res = await browser.call('POST', '/api/team', { email: 'sam@example.test', name: 'Sam' });
      expect(res.json().admin.role).toBe('support_admin');
      const id = res.json().admin.id;
      expect((await browser.call('POST', '/api/team', { email: 'sam@example.test', name: 'Sam' })).json().code).toBe('admin_exists');
      expect((await browser.call('DELETE', `/api/team?id=${id}`)).statusCode).toBe(200);
      const back = await browser.call('POST', '/api/team', { email: 'SAM@example.test', name: 'Sam', role: 'super_admin' });
      expect([back.statusCode, back.json().admin.id, back.json().admin.role]).toEqual([201, id, 'super_admin']);
    });
  });

  describe('sessions (contract §5 defect 3)', () => {
    it('checks disabled and token_version on every route, at once', async () => {
      const a = await signedInAdmin(t, 'support_admin');
      const id = await feedback();
      await t.ctx.db.updateTable('admin_users').set({ disabled: true }).where('id', '=', a.admin.id).execute();
      for (const [method, url] of [
        ['GET', '/api/flags'],
        ['GET', '/api/feedback'],
        ['GET', '/api/notifications'],
        ['GET', '/api/health'],
        ['GET', '/api/me'],
      ] as const) {
        const res = await a.browser.call(method, url);
        expect([res.statusCode, res.json().code], url).toEqual([403, 'admin_disabled']);
      }
      const note = await a.browser.call('POST', '/api/feedback/comments', { feedback_id: id, comment: 'x', is_internal: true });
      expect(note.statusCode).toBe(403);
      expect(await t.ctx.db.selectFrom('feedback_comment').select('id').where('feedback_id', '=', id).executeTakeFirst()).toBeUndefined();
    });

    it('a removed admin loses the session at once and cannot re-mint it from qc_session', async () => {
      const boss = await signedInAdmin(t);
      const gone = await signedInAdmin(t, 'support_admin');
      expect((await boss.browser.call('DELETE', `/api/team?id=${gone.admin.id}`)).statusCode).toBe(200);
      expect([(await gone.browser.call('GET', '/api/flags')).statusCode]).toEqual([401]);
      gone.browser.cookies.delete('admin_session');
      const again = await gone.browser.call('GET', '/api/me');
      expect([again.statusCode, again.json().code]).toEqual([403, 'admin_disabled']);
      expect(again.headers['set-cookie']).toBeUndefined();
    });

    it('refresh-from-main sends the browser to the main app, and back only to a console page', async () => {
      const go = async (ret: string) => {
        const res = await t.console.inject({ method: 'GET', url: `/api/auth/refresh-from-main?return=${encodeURIComponent(ret)}` });
        expect(res.statusCode).toBe(307);
        return new URL(String(res.headers.location)).searchParams.get('return');
      };
      const origin = t.ctx.config.adminConsole.origins[0]!;
      expect(await go(`${origin}/settings`)).toBe(`${origin}/settings`);
      expect(await go('https://evil.example/phish')).toBe(`${origin}/dashboard`);
      expect(await go('javascript:alert(1)')).toBe(`${origin}/dashboard`);
    });

    it('refuses the admin to remove itself', async () => {
      const { admin, browser } = await signedInAdmin(t);
      expect((await browser.call('DELETE', `/api/team?id=${admin.id}`)).json().code).toBe('cannot_remove_self');
    });
  });

  describe('CSRF (contract §5 defect 4)', () => {
    it('refuses writes without the console’s Origin, from the main app’s origin or any other, changing nothing', async () => {
      const { browser } = await signedInAdmin(t);
      const before = await audits();
      for (const origin of ['https://www.mindpick.test', 'https://evil.example', 'null']) {
        const other = new ConsoleBrowser(t, origin);
        for (const [k, v] of browser.cookies) other.cookies.set(k, v);
        const res = await other.call('POST', '/api/team', { email: 'csrf@example.test', name: 'CSRF' });
        expect([res.statusCode, res.json().code]).toEqual([403, 'cross_origin_refused']);
        expect((await other.call('PATCH', '/api/flags?key=marketing_module', { enabled: false })).statusCode).toBe(403);
        expect((await other.call('POST', '/api/auth/verify')).statusCode).toBe(403); // no login CSRF either
      }
      const headers = { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json' };
      const noOrigin = await t.console.inject({ method: 'POST', url: '/api/team/revoke-sessions', headers, payload: '{}' });
      expect([noOrigin.statusCode, noOrigin.json().code]).toEqual([403, 'cross_origin_refused']);
      expect(await audits()).toBe(before);
      expect(await t.ctx.db.selectFrom('user').select('id').where('email', '=', 'csrf@example.test').executeTakeFirst()).toBeUndefined();
    });

    it('accepts only JSON (or no body) at verify: a form post is 415', async () => {
      const res = await t.console.inject({
        method: 'POST',
        url: '/api/auth/verify',
        headers: { origin: t.ctx.config.adminConsole.origins[0]!, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'token=abc',
      });
      expect(res.statusCode).toBe(415);
    });
  });

  describe('JSON errors under /api, the SPA everywhere else', () => {
    it('serves no debug or test route of the legacy console (contract §5 defect 5)', async () => {
      const { browser } = await signedInAdmin(t);
      for (const path of [
        '/api/debug-migration',
        '/api/debug-xano',
        '/api/test-api-groups',
        '/api/test-jira-create',
        '/api/test-xano-endpoints',
        '/api/team/system',
        '/api/notifications/config',
      ]) {
        for (const method of ['GET', 'POST'] as const) {
          const res = await browser.call(method, path);
          expect([res.statusCode, res.headers['content-type']], `${method} ${path}`).toEqual([404, 'application/json; charset=utf-8']);
          expect(Object.keys(res.json()).sort()).toEqual(['code', 'error', 'message']);
        }
      }
    });

    it('answers 404 or 405 in JSON under /api, even to a browser asking for HTML', async () => {
      const html = { accept: 'text/html,application/xhtml+xml' };
      const unknown = await t.console.inject({ method: 'GET', url: '/api/nothing/here', headers: html });
      expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'route_not_found']);
      const wrong = await t.console.inject({
        method: 'PUT',
        url: '/api/flags/marketing_module',
        headers: { ...html, origin: t.ctx.config.adminConsole.origins[0]! },
      });
      expect([wrong.statusCode, wrong.json().code, wrong.headers.allow]).toEqual([405, 'method_not_allowed', 'PATCH, DELETE']);
      const get = await t.console.inject({ method: 'GET', url: '/api/feedback/jira', headers: html });
      expect(get.headers['content-type']).toMatch(/^application\/json/);
    });

    it('serves the console’s files, and index.html for its client routes', async () => {
      const html = { accept: 'text/html' };
      for (const path of ['/', '/dashboard', '/feedback?id=3', '/settings']) {
        const res = await t.console.inject({ method: 'GET', url: path, headers: html });
        expect([res.statusCode, res.headers['content-type']], path).toEqual([200, 'text/html; charset=utf-8']);
        expect(res.body).toContain('<div id="root">');
        expect(res.headers['x-frame-options']).toBe('DENY');
      }
      expect((await t.console.inject({ method: 'GET', url: '/assets/app.js' })).body).toContain('console');
      const missing = await t.console.inject({ method: 'GET', url: '/assets/gone.js', headers: { accept: '*/*' } });
      expect([missing.statusCode, missing.json().code]).toEqual([404, 'not_found']);
    });
  });

  describe('validation: a 4xx and the database unchanged', () => {
    it('rejects bad team, flag, feedback and notification input', async () => {
      const { browser } = await signedInAdmin(t);
      const before = await audits();
      const cases: [string, 'POST' | 'PATCH', string, unknown][] = [
        ['invalid_email', 'POST', '/api/team', { email: 'not-an-email', name: 'X' }],
        ['user_not_found', 'POST', '/api/team', { email: 'ghost@example.test', name: 'X', xano_user_id: '999999' }],
        ['invalid_role', 'POST', '/api/team', { email: 'role@example.test', name: 'X', role: 'root' }],
        ['validation_failed', 'POST', '/api/flags', { key: 'Bad Key', name: 'Bad key' }],
        ['validation_failed', 'PATCH', '/api/feedback/1', { status: 'bogus' }],
        ['invalid_email', 'PATCH', '/api/notifications', { alert_emails: 'ops@mindpick.test, ops@' }],
        ['validation_failed', 'PATCH', '/api/notifications', { sla_threshold: 101 }],
        ['nothing_to_change', 'PATCH', '/api/notifications', { id: '1' }],
        ['validation_failed', 'POST', '/api/feedback/comments', { feedback_id: 'abc', comment: 'x' }],
        ['no_alert_emails', 'POST', '/api/notifications/test', undefined],
        ['tickets_not_configured', 'POST', '/api/feedback/jira?id=1', undefined],
      ];
      for (const [code, method, url, body] of cases) {
        const res = await browser.call(method, url, body);
        expect([res.statusCode >= 400 && res.statusCode < 600, res.json().code], `${method} ${url}`).toEqual([true, code]);
      }
      expect(await audits()).toBe(before);
      expect(
        await t.ctx.db.selectFrom('user').select('id').where('email', 'in', ['ghost@example.test', 'role@example.test']).execute(),
      ).toEqual([]);
      expect(await t.ctx.db.selectFrom('email_outbox').select('id').where('template', '=', 'admin_test_alert').execute()).toEqual([]);
    });

    it('does not write or audit an auto-save that changes nothing', async () => {
      const { browser } = await signedInAdmin(t);
      const config = (await browser.call('GET', '/api/notifications')).json().config;
      const before = await audits();
      const res = await browser.call('PATCH', '/api/notifications', config);
      expect([res.statusCode, res.json().message]).toEqual([200, 'No change.']);
      expect(await audits()).toBe(before);
    });
  });

  describe('tags and analytics', () => {
    it('replaces the tags of a feedback item and lists them', async () => {
      const { browser } = await signedInAdmin(t);
      const id = await feedback();
      const tags = await t.ctx.db
        .insertInto('feedback_tag')
        .values([{ name: 'ios' }, { name: 'payments' }, { name: 'ux' }])
        .returning(['id', 'name'])
        .execute();
      const listed = (await browser.call('GET', '/api/feedback/tags')).json().tags;
      expect(listed.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['ios', 'payments', 'ux']));
      expect(
        (await browser.call('POST', '/api/feedback/tags', { feedback_id: String(id), tag_ids: [String(tags[0]!.id), String(tags[1]!.id)] }))
          .statusCode,
      ).toBe(200);
      expect((await browser.call('POST', '/api/feedback/tags', { feedback_id: id, tag_ids: [String(tags[2]!.id)] })).statusCode).toBe(200);
      const links = await t.ctx.db.selectFrom('feedback_tag_link').select('tag_id').where('feedback_id', '=', id).execute();
      expect(links.map((l) => l.tag_id)).toEqual([tags[2]!.id]);
      const bad = await browser.call('POST', '/api/feedback/tags', { feedback_id: id, tag_ids: ['999999'] });
      expect([bad.statusCode, bad.json().code]).toEqual([400, 'tag_not_found']);
      expect((await t.ctx.db.selectFrom('feedback_tag_link').select('tag_id').where('feedback_id', '=', id).execute()).length).toBe(1);
      const row = (await browser.call('GET', `/api/feedback/${id}`)).json().feedback;
      expect(row.tags).toEqual([{ id: String(tags[2]!.id), name: 'ux', color: null }]);
    });

    it('computes the analytics summary, breakdowns, trend and top pages', async () => {
      const { browser } = await signedInAdmin(t);
      await t.ctx.db.deleteFrom('feedback').execute();
      await feedback({ rating: 4, page_url: '/ask' });
      await feedback({ type: 'feature', rating: 2, page_url: '/ask', jira_issue_key: 'FB-1' });
      const res = await browser.call('GET', '/api/feedback/analytics?days=30');
      expect(res.statusCode, res.body).toBe(200);
      const a = res.json();
      expect(a.summary).toMatchObject({
        total_count: 2,
        rated_count: 2,
        avg_rating: 3,
        new_count: 2,
        with_jira_count: 1,
        resolved_count: 0,
      });
      expect(a.by_type).toEqual(
        expect.arrayContaining([
          { type: 'bug', count: 1 },
          { type: 'feature', count: 1 },
        ]),
      );
      expect(a.by_device).toEqual([{ device_type: 'desktop', count: 2 }]);
      expect(a.by_journey).toEqual([{ journey_stage: 'retention', count: 2 }]);
      expect(a.trend).toEqual([{ date: '2026-03-02', count: 2, bugs: 1, features: 1, feedback: 0, avg_rating: 3 }]);
      expect(a.top_pages).toEqual([{ page_url: '/ask', count: 2 }]);
    });
  });

  describe('POST /api/jira-webhook (contract §5 defect 7)', () => {
    const post = (body: string, signature?: string) =>
      t.console.inject({
        method: 'POST',
        url: '/api/jira-webhook',
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature': signature } : {}) },
        payload: body,
      });

    it('refuses a missing or wrong signature and changes nothing', async () => {
      const id = await feedback({ jira_issue_key: 'FB-77' });
      const body = JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { key: 'FB-77', fields: { status: { name: 'Done' } } } });
      for (const sig of [undefined, 'sha256=00', sign(`${body} `), sign(body).replace('sha256=', 'sha1=')]) {
        const res = await post(body, sig);
        expect([res.statusCode, res.json().code]).toEqual([401, 'invalid_signature']);
      }
      expect((await t.ctx.db.selectFrom('feedback').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('new');
    });

    it('syncs status, priority and comments of the linked feedback, and audits it', async () => {
      const id = await feedback({ jira_issue_key: 'FB-78' });
      const body = JSON.stringify({
        webhookEvent: 'jira:issue_updated',
        issue: { key: 'FB-78', fields: { status: { name: 'Done' }, priority: null } },
        comment: { body: 'Fixed in 2.4' },
      });
      const res = await post(body, sign(body));
      expect([res.statusCode, res.json().message]).toEqual([200, 'Webhook processed']);
      const row = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect([row.status, row.resolved_at?.getTime()]).toEqual(['resolved', t.clock.now.getTime()]);
      const comments = await t.ctx.db
        .selectFrom('feedback_comment')
        .select(['body', 'admin_user_id'])
        .where('feedback_id', '=', id)
        .orderBy('id')
        .execute();
      expect(comments).toEqual([
        { body: 'Synced from Jira FB-78: status resolved.', admin_user_id: null },
        { body: 'Jira comment on FB-78: Fixed in 2.4', admin_user_id: null },
      ]);
      const audit = await t.ctx.db
        .selectFrom('admin_audit_log')
        .selectAll()
        .where('action', '=', 'feedback.ticket_sync')
        .executeTakeFirstOrThrow();
      expect([audit.actor, audit.target_id]).toEqual(['jira-webhook', String(id)]);
      const unlinked = JSON.stringify({ issue: { key: 'FB-404' } });
      expect((await post(unlinked, sign(unlinked))).json().message).toBe('Ticket not linked to feedback');
      const keyless = JSON.stringify({ issue: {} });
      expect((await post(keyless, sign(keyless))).json().code).toBe('missing_issue_key');
    });
  });
});
