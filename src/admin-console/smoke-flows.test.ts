/**
 * The ten smoke flows of the legacy admin console (legacy-admin-contract.md §6), each as the
 * unchanged SPA runs it: its cookies (qc_session, admin_session), its Origin on writes, its bodies,
 * no Authorization header; asserting what the SPA reads and what the database holds afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBrowser, type ConsoleTestApp, consoleAdmin, createConsoleTestApp, signedInAdmin } from '../../test/admin-console.ts';
import { tokenFor } from '../../test/factories.ts';
import { type JiraStub, startJiraStub } from '../../test/jira-stub.ts';
import { deliverPendingEmails } from '../email/deliver.ts';

const JIRA_AUTH = `Basic ${Buffer.from('bot@mindpick.test:jira-token').toString('base64')}`;

describe('admin console smoke flows (contract §6)', () => {
  let t: ConsoleTestApp;
  let jira: JiraStub;
  beforeAll(async () => {
    jira = await startJiraStub(JIRA_AUTH);
    t = await createConsoleTestApp({
      TICKETS: 'jira',
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: 'bot@mindpick.test',
      JIRA_API_TOKEN: 'jira-token',
      JIRA_PROJECT_KEY: 'FB',
      DATA_DIR: `/tmp/qc-console-test-${process.pid}`,
    });
  });
  afterAll(async () => {
    await t.close();
    await jira.close();
  });

  /** What the public widget of the main app submits (to the main API). */
  const submitFeedback = async (over: Record<string, unknown> = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: {
        type: 'bug',
        message: 'The ask page freezes after the upload.',
        page_url: 'https://www.mindpick.test/ask',
        session_id: 'sess-1',
        email: 'reporter@example.test',
        device_type: 'mobile',
        journey_stage: 'conversion',
        expected_behavior: 'It submits',
        actual_behavior: 'It hangs',
        attachments: [{ name: 'shot.png', url: 'https://files.mindpick.test/shot.png', size: 1234, type: 'image/png' }],
        ...over,
      },
      remoteAddress: `10.88.0.${Math.floor(Math.random() * 250)}`,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };

  it('1. auto log-in with a main-app qc_session: GET /api/me bootstraps; an expired admin session goes through verify', async () => {
    const { admin, browser } = await consoleAdmin(t, 'super_admin');
    const me = await browser.call('GET', '/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ success: true, ok: true, role: 'super_admin', admin_id: String(admin.id) });
    expect(typeof me.json().admin_id).toBe('string');
    expect(me.json().role.replace('_', ' ')).toBe('super admin'); // "Welcome back, super admin!"
    expect(String(me.headers['set-cookie'])).toMatch(/admin_session=.+; Max-Age=900; Path=\/; HttpOnly; Secure; SameSite=Strict/);
    expect(browser.cookies.has('admin_session')).toBe(true);

    // 15 minutes later the admin cookie is expired: #1 answers 401, #2 (no body) re-mints, #1 again.
    t.clock.advance(16 * 60_000);
    browser.cookies.set('qc_session', await tokenFor(t.ctx, { id: admin.user_id }));
    expect((await browser.call('GET', '/api/me')).statusCode).toBe(401);
    const verify = await browser.call('POST', '/api/auth/verify');
    expect(verify.statusCode, verify.body).toBe(200);
    expect(verify.json()).toMatchObject({ success: true, role: 'super_admin', tokenSource: 'cookie' });
    expect((await browser.call('GET', '/api/me')).json()).toMatchObject({ ok: true, role: 'super_admin' });
    const logins = await t.ctx.db.selectFrom('admin_audit_log').select('action').where('admin_user_id', '=', admin.id).execute();
    expect(logins.map((l) => l.action)).toEqual(['admin.login', 'admin.login']);
  });

  it('2. manual log-in with a pasted JWT, and the error text of a bad one', async () => {
    const { user, browser } = await consoleAdmin(t, 'support_admin');
    browser.cookies.clear();
    const bad = await browser.call('POST', '/api/auth/verify', { token: 'not-a-token' });
    expect(bad.statusCode).toBe(401);
    expect(typeof bad.json().error).toBe('string');
    expect(bad.json().error).toMatch(/invalid or has expired/);
    const good = await browser.call('POST', '/api/auth/verify', { token: await tokenFor(t.ctx, user) });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ role: 'support_admin', tokenSource: 'body' });
    expect((await browser.call('GET', '/api/me')).json()).toMatchObject({ ok: true, role: 'support_admin' });
  });

  it('3. sidebar badges: flags count and new-feedback total', async () => {
    await submitFeedback();
    const { browser } = await signedInAdmin(t, 'support_admin');
    const flags = await browser.call('GET', '/api/flags');
    expect(flags.statusCode).toBe(200);
    const count = await t.ctx.db
      .selectFrom('feature_flags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(flags.json().flags.length).toBe(Number(count.n));
    const badge = await browser.call('GET', '/api/feedback?status=new&limit=1');
    expect(badge.statusCode).toBe(200);
    const fresh = await t.ctx.db
      .selectFrom('feedback')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'new')
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(badge.json().pagination.total).toBe(Number(fresh.n));
    expect(badge.json().feedback).toHaveLength(1);
  });

  it('4. toggle a flag, then create, edit and delete one', async () => {
    const { admin, browser } = await signedInAdmin(t);
    const list = (await browser.call('GET', '/api/flags')).json().flags;
    const social = list.find((f: { key: string }) => f.key === 'social_impact_dashboard');
    expect(social).toMatchObject({
      enabled: false,
      min_plan: 'free',
      name: expect.any(String),
      description: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await browser.call('PATCH', '/api/flags?key=social_impact_dashboard', { enabled: true })).statusCode).toBe(200);
    expect(
      (await t.ctx.db.selectFrom('feature_flags').select('enabled').where('key', '=', 'social_impact_dashboard').executeTakeFirstOrThrow())
        .enabled,
    ).toBe(true);

    const created = await browser.call('POST', '/api/flags', {
      key: 'beta_inbox',
      name: 'Beta inbox',
      description: 'New inbox',
      enabled: false,
      min_plan: 'pro',
    });
    expect(created.statusCode, created.body).toBe(201);
    const row = (await browser.call('GET', '/api/flags')).json().flags.find((f: { key: string }) => f.key === 'beta_inbox');
    expect(row).toMatchObject({ min_plan: 'pro', min_plan_level: 10, enabled: false });

    // The edit modal sends the whole row as listed, with its edits.
    const edited = await browser.call('PATCH', '/api/flags?key=beta_inbox', { ...row, name: 'Beta inbox v2', min_plan: 'free' });
    expect(edited.statusCode, edited.body).toBe(200);
    const stored = await t.ctx.db.selectFrom('feature_flags').selectAll().where('key', '=', 'beta_inbox').executeTakeFirstOrThrow();
    expect([stored.name, stored.min_plan_level, stored.description]).toEqual(['Beta inbox v2', 0, 'New inbox']);

    expect((await browser.call('DELETE', '/api/flags?key=beta_inbox')).statusCode).toBe(200);
    expect(await t.ctx.db.selectFrom('feature_flags').select('id').where('key', '=', 'beta_inbox').executeTakeFirst()).toBeUndefined();
    const history = await t.ctx.db
      .selectFrom('feature_flag_audit')
      .select('action')
      .where('flag_key', '=', 'beta_inbox')
      .orderBy('id')
      .execute();
    expect(history.map((h) => h.action)).toEqual(['create', 'update', 'delete']);
    const audited = await t.ctx.db
      .selectFrom('admin_audit_log')
      .select('action')
      .where('admin_user_id', '=', admin.id)
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['admin.login', 'flag.update', 'flag.create', 'flag.update', 'flag.delete']);
  });

  it('5. triage feedback: filter, open, set status and priority, delete', async () => {
    const id = await submitFeedback({ type: 'feature', message: 'Please add dark mode to the dashboard.' });
    const { browser } = await signedInAdmin(t);
    const list = await browser.call(
      'GET',
      '/api/feedback?page=1&limit=10&sort_by=created_at&sort_order=desc&type=feature&status=new&journey_stage=conversion',
    );
    expect(list.statusCode, list.body).toBe(200);
    const row = list.json().feedback.find((f: { id: string }) => f.id === String(id));
    expect(row).toMatchObject({
      type: 'feature',
      status: 'new',
      priority: 'medium',
      message: 'Please add dark mode to the dashboard.',
      rating: null,
      email: 'reporter@example.test',
      device_type: 'mobile',
      journey_stage: 'conversion',
      jira_ticket_key: null,
      attachment_count: 1,
      comment_count: 0,
      created_at: expect.any(String),
    });
    expect(list.json().pagination.total).toBeGreaterThanOrEqual(1);

    const detail = (await browser.call('GET', `/api/feedback/${id}`)).json();
    const merged = { ...row, ...detail.feedback, ...detail };
    expect(merged).toMatchObject({
      id: String(id),
      wants_followup: false,
      user_id: null,
      page_url: 'https://www.mindpick.test/ask',
      expected_behavior: 'It submits',
      actual_behavior: 'It hangs',
      jira_ticket_url: null,
    });
    expect(detail.attachments).toEqual([
      {
        id: expect.any(String),
        file_name: 'shot.png',
        file_size: 1234,
        mime_type: 'image/png',
        storage_url: 'https://files.mindpick.test/shot.png',
      },
    ]);

    expect((await browser.call('PATCH', `/api/feedback/${id}`, { status: 'resolved' })).statusCode).toBe(200);
    expect((await browser.call('PATCH', `/api/feedback/${id}`, { priority: 'high' })).json().feedback).toMatchObject({
      status: 'resolved',
      priority: 'high',
    });
    const stored = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([stored.status, stored.priority, stored.resolved_at?.getTime()]).toEqual(['resolved', 'high', t.clock.now.getTime()]);

    const del = await browser.call('DELETE', `/api/feedback/${id}`);
    expect([del.statusCode, del.json().message]).toEqual([200, 'Feedback archived successfully']);
    expect(
      (await t.ctx.db.selectFrom('feedback').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow()).deleted_at,
    ).not.toBeNull();
    expect((await browser.call('GET', `/api/feedback/${id}`)).statusCode).toBe(404);
  });

  it('6. add an internal note; create a Jira ticket (and not twice)', async () => {
    const id = await submitFeedback();
    const { browser } = await signedInAdmin(t);
    const note = await browser.call('POST', '/api/feedback/comments', {
      feedback_id: String(id),
      comment: 'Reproduced on iOS 18.',
      is_internal: true,
    });
    expect(note.statusCode, note.body).toBe(201);
    const detail = (await browser.call('GET', `/api/feedback/${id}`)).json();
    expect(detail.comments).toEqual([
      {
        id: expect.any(String),
        comment: 'Reproduced on iOS 18.',
        is_internal: true,
        admin_name: 'Console super_admin',
        created_at: expect.any(String),
      },
    ]);

    const created = await browser.call('POST', `/api/feedback/jira?id=${id}`);
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json().jira_ticket.key;
    expect(key).toMatch(/^FB-\d+$/);
    const sent = jira.requests.at(-1)!;
    expect([sent.method, sent.path, sent.auth]).toEqual(['POST', '/rest/api/3/issue', JIRA_AUTH]);
    expect(sent.body.fields).toMatchObject({
      project: { key: 'FB' },
      summary: `[FEEDBACK-${id}] The ask page freezes after the upload.`,
      issuetype: { name: 'Bug' },
      priority: { name: 'Medium' },
    });
    expect(JSON.stringify(sent.body)).not.toContain('reporter@example.test');
    expect(JSON.stringify(sent.body)).toContain('https://files.mindpick.test/shot.png');
    const after = (await browser.call('GET', `/api/feedback/${id}`)).json().feedback;
    expect([after.jira_ticket_key, after.jira_ticket_url]).toEqual([key, `${jira.url}/browse/${key}`]);
    const again = await browser.call('POST', `/api/feedback/jira?id=${id}`);
    expect([again.statusCode, again.json().ticket_key]).toEqual([409, key]);
    expect(jira.requests.filter((r) => r.path === '/rest/api/3/issue')).toHaveLength(1);
  });

  it('7. manage the team: list, add with and without xano_user_id, remove', async () => {
    const { admin, browser } = await signedInAdmin(t);
    const me = (await browser.call('GET', '/api/me')).json();
    const team = (await browser.call('GET', '/api/team')).json().admins;
    const self = team.find((a: { id: string }) => a.id === me.admin_id);
    expect(self).toMatchObject({
      email: expect.any(String),
      name: 'Console super_admin',
      xano_user_id: String(admin.user_id),
      last_activity: expect.any(String),
    });

    const existing = await t.ctx.db
      .insertInto('user')
      .values({ email: 'grace@example.test', name: 'Grace', auth_provider: 'magic_link' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const withId = await browser.call('POST', '/api/team', {
      email: 'grace@example.test',
      name: 'Grace',
      xano_user_id: String(existing.id),
    });
    expect(withId.statusCode, withId.body).toBe(201);
    expect(withId.json().admin).toMatchObject({ role: 'support_admin', xano_user_id: String(existing.id) });
    const without = await browser.call('POST', '/api/team', { email: 'New.Person@Example.test', name: 'New Person' });
    expect(without.statusCode, without.body).toBe(201);
    const newUser = await t.ctx.db.selectFrom('user').selectAll().where('email', '=', 'new.person@example.test').executeTakeFirstOrThrow();
    expect(newUser.name).toBe('New Person');
    const listed = (await browser.call('GET', '/api/team')).json().admins.map((a: { email: string }) => a.email);
    expect(listed).toEqual(expect.arrayContaining(['grace@example.test', 'new.person@example.test']));

    const graceId = withId.json().admin.id;
    expect((await browser.call('DELETE', `/api/team?id=${graceId}`)).statusCode).toBe(200);
    const stored = await t.ctx.db.selectFrom('admin_users').selectAll().where('id', '=', Number(graceId)).executeTakeFirstOrThrow();
    expect(stored.disabled).toBe(true);
    expect((await browser.call('GET', '/api/team')).json().admins.map((a: { id: string }) => a.id)).not.toContain(graceId);
    const audit = await t.ctx.db
      .selectFrom('admin_audit_log')
      .select(['action', 'target_id'])
      .where('admin_user_id', '=', admin.id)
      .where('action', 'like', 'team.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['team.add_admin', 'team.add_admin', 'team.remove_admin']);
  });

  it('8. revoke all sessions: the next /api/me is 401, and re-minting needs a new main-app sign-in', async () => {
    const { admin, user, browser } = await signedInAdmin(t);
    const other = await signedInAdmin(t, 'support_admin');
    const res = await browser.call('POST', '/api/team/revoke-sessions');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().affected_admins).toBeGreaterThanOrEqual(2);
    for (const b of [browser, other.browser]) expect((await b.call('GET', '/api/me')).statusCode).toBe(401);
    // The old qc_session cannot silently open a new admin session (contract §5 defect 3).
    const stale = await browser.call('POST', '/api/auth/verify');
    expect([stale.statusCode, stale.json().code]).toEqual([401, 'admin_sessions_revoked']);
    t.clock.advance(2000);
    browser.cookies.set('qc_session', await tokenFor(t.ctx, user));
    expect((await browser.call('POST', '/api/auth/verify')).statusCode).toBe(200);
    expect((await browser.call('GET', '/api/me')).json()).toMatchObject({ ok: true, admin_id: String(admin.id) });
    const row = await t.ctx.db
      .selectFrom('admin_audit_log')
      .selectAll()
      .where('action', '=', 'team.revoke_all_sessions')
      .executeTakeFirstOrThrow();
    expect([row.admin_user_id, row.target_id]).toEqual([admin.id, 'all']);
  });

  it('9. configure notifications, send a test e-mail through the mailer, read system health', async () => {
    const { admin, browser } = await signedInAdmin(t);
    const config = (await browser.call('GET', '/api/notifications')).json().config;
    expect(config).toMatchObject({ alert_emails: [], sla_threshold: 90, moderation_threshold: 20 });
    // The auto-save sends the whole object, alert_emails as the CSV string of the text field.
    const saved = await browser.call('PATCH', '/api/notifications', {
      ...config,
      alert_emails: 'ops@mindpick.test, Oncall@mindpick.test',
      sla_threshold: 80,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const stored = await t.ctx.db.selectFrom('notification_config').selectAll().executeTakeFirstOrThrow();
    expect([stored.alert_emails, stored.sla_threshold, stored.moderation_threshold]).toEqual([
      ['ops@mindpick.test', 'oncall@mindpick.test'],
      80,
      20,
    ]);

    const test = await browser.call('POST', '/api/notifications/test');
    expect(test.statusCode, test.body).toBe(200);
    expect(test.json().message).toMatch(/2 address/);
    const queued = await t.ctx.db.selectFrom('email_outbox').selectAll().where('template', '=', 'admin_test_alert').orderBy('id').execute();
    expect(queued.map((q) => q.to_address)).toEqual(['ops@mindpick.test', 'oncall@mindpick.test']);
    await deliverPendingEmails(t.ctx);
    const sent = await t.ctx.db
      .selectFrom('email_outbox')
      .select(['status', 'provider_message_id'])
      .where('template', '=', 'admin_test_alert')
      .execute();
    expect(sent.every((s) => s.status === 'sent' && s.provider_message_id)).toBe(true);

    const health = (await browser.call('GET', '/api/health')).json();
    expect(health).toMatchObject({
      database: { status: 'healthy', message: expect.any(String), response_time_ms: expect.any(Number) },
      xano: { status: 'healthy', message: expect.any(String), response_time_ms: expect.any(Number) },
      environment: { status: 'healthy', message: expect.any(String) },
      timestamp: expect.any(String),
      healthy: true,
    });
    expect(JSON.stringify(health)).not.toMatch(/base_url|missing|JIRA|jira-token|127\.0\.0\.1|DATABASE/);
    const audit = await t.ctx.db
      .selectFrom('admin_audit_log')
      .select('action')
      .where('admin_user_id', '=', admin.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['admin.login', 'notifications.update', 'notifications.test']);
  });

  it('10. log out: the cookie is cleared, the login screen shows, and the old qc_session does not undo it', async () => {
    const { user, browser } = await signedInAdmin(t);
    const out = await browser.call('POST', '/api/auth/logout');
    expect([out.statusCode, out.json().ok]).toEqual([200, true]);
    expect(String(out.headers['set-cookie'])).toMatch(/admin_session=; Max-Age=0/);
    expect(browser.cookies.has('admin_session')).toBe(false);
    expect((await browser.call('GET', '/api/me')).statusCode).toBe(401);
    t.clock.advance(2000);
    browser.cookies.set('qc_session', await tokenFor(t.ctx, user));
    expect((await browser.call('GET', '/api/me')).json()).toMatchObject({ ok: true });
    // A second console tab signed in before the logout is signed out too.
    const fresh = new ConsoleBrowser(t);
    expect((await fresh.call('GET', '/api/me')).statusCode).toBe(401);
  });
});
