import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminSession, createAdmin, expectAdminAuthMatrix } from '../../test/admin.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createUser, tokenFor } from '../../test/factories.ts';

const LIMIT = 4;
let ipSeq = 0;
/** Each submission test gets its own client IP, so the per-IP limit is tested only where meant. */
const freshIp = () => `10.1.0.${++ipSeq}`;

/** What the widget sends: the known fields plus its context, journey and consent fields. */
const widgetBody = (over: Record<string, unknown> = {}) => ({
  type: 'bug',
  message: 'The upload button does nothing on Safari.',
  rating: 2,
  email: 'Asker@Example.test',
  wants_followup: true,
  session_id: 'sess-123',
  page_url: 'https://mindpick.me/ask-v2?expert=ada',
  page_title: 'Ask Ada',
  viewport: '390x844',
  screen_resolution: '1170x2532',
  browser_language: 'en-GB',
  timezone: 'Europe/London',
  referrer: 'https://mindpick.me/u/ada',
  time_on_page: 42,
  journey: ['/u/ada', '/ask-v2'],
  analytics_consent: true,
  expected_behavior: 'A file picker opens',
  actual_behavior: 'Nothing',
  ...over,
});

describe('feedback', () => {
  let t: TestApp;
  let superUser: { id: number };
  let superCookie: Record<string, string>;
  let supportCookie: Record<string, string>;
  let supportUser: { id: number };
  beforeAll(async () => {
    t = await createTestApp({ FEEDBACK_LIMIT_PER_HOUR: String(LIMIT) });
    superUser = (await createAdmin(t, 'super_admin')).user;
    supportUser = (await createAdmin(t, 'support_admin')).user;
  });
  beforeEach(async () => {
    superCookie = (await adminSession(t, superUser)).cookie;
    supportCookie = (await adminSession(t, supportUser)).cookie;
  });
  afterAll(() => t.close());

  const submit = (payload: object, headers: Record<string, string> = {}, remoteAddress = freshIp()) =>
    t.app.inject({ method: 'POST', url: '/api/feedback', payload, headers, remoteAddress });
  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = superCookie) =>
    t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  describe('POST /api/feedback (public widget)', () => {
    it('stores the feedback, keeping unknown widget fields in context', async () => {
      const res = await submit(
        widgetBody({ attachments: [{ name: 'shot.png', url: 'https://cdn.example/shot.png', size: 1234, type: 'image/png' }] }),
        { 'user-agent': 'Mozilla/5.0 (iPhone)' },
      );
      expect(res.statusCode).toBe(201);
      const { id } = res.json();
      expect(res.json()).toEqual({ success: true, id: expect.any(Number) });
      const row = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        type: 'bug',
        rating: 2,
        email: 'asker@example.test',
        wants_followup: true,
        session_id: 'sess-123',
        page_url: 'https://mindpick.me/ask-v2?expert=ada',
        user_agent: 'Mozilla/5.0 (iPhone)',
        user_id: null,
        status: 'new',
        priority: 'medium',
        deleted_at: null,
      });
      expect(row.context).toEqual({
        page_title: 'Ask Ada',
        viewport: '390x844',
        screen_resolution: '1170x2532',
        browser_language: 'en-GB',
        timezone: 'Europe/London',
        referrer: 'https://mindpick.me/u/ada',
        time_on_page: 42,
        journey: ['/u/ada', '/ask-v2'],
        analytics_consent: true,
        expected_behavior: 'A file picker opens',
        actual_behavior: 'Nothing',
      });
      const files = await t.ctx.db.selectFrom('feedback_attachment').selectAll().where('feedback_id', '=', id).execute();
      expect(files.map((f) => [f.name, f.url, f.size_bytes, f.content_type])).toEqual([
        ['shot.png', 'https://cdn.example/shot.png', 1234, 'image/png'],
      ]);
    });

    it('links a signed-in user, and treats a stale token as anonymous rather than failing', async () => {
      const user = await createUser(t.ctx.db);
      const signed = await submit(widgetBody(), bearer(await tokenFor(t.ctx, user)));
      const stale = await submit(widgetBody(), bearer('stale.token.value'));
      expect([signed.statusCode, stale.statusCode]).toEqual([201, 201]);
      const rows = await t.ctx.db
        .selectFrom('feedback')
        .select(['id', 'user_id'])
        .where('id', 'in', [signed.json().id, stale.json().id])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.user_id)).toEqual([user.id, null]);
    });

    it('stores a rating of 0 (the widget’s "not rated") as no rating', async () => {
      const res = await submit(widgetBody({ rating: 0 }));
      const row = await t.ctx.db.selectFrom('feedback').select('rating').where('id', '=', res.json().id).executeTakeFirstOrThrow();
      expect(row.rating).toBeNull();
    });

    it('accepts the minimal body (no rating, no e-mail)', async () => {
      const res = await submit({ type: 'feature', message: 'Dark mode please, thanks!' });
      expect(res.statusCode).toBe(201);
      const row = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow();
      expect([row.rating, row.email, row.wants_followup, row.context]).toEqual([null, null, false, {}]);
    });

    it('rejects an invalid type, message, rating, e-mail or attachment with 400 and stores nothing', async () => {
      const before = await t.ctx.db
        .selectFrom('feedback')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      for (const [over, code] of [
        [{ type: 'rant' }, 'validation_failed'],
        [{ message: 'too short' }, 'validation_failed'],
        [{ message: '    short     ' }, 'message_too_short'],
        [{ message: 'x'.repeat(2001) }, 'validation_failed'],
        [{ rating: 6 }, 'validation_failed'],
        [{ rating: 2.5 }, 'validation_failed'],
        [{ email: 'not-an-email' }, 'invalid_email'],
        [{ attachments: [{ name: 'x', url: 'javascript:alert(1)' }] }, 'validation_failed'],
        [{ attachments: [{ name: 'x', url: 'https://a.test/x', size: 11 * 1024 * 1024 }] }, 'validation_failed'],
        [{ huge: 'x'.repeat(17 * 1024) }, 'context_too_large'],
      ] as const) {
        const res = await submit(widgetBody(over));
        expect([res.statusCode, res.json().code], JSON.stringify(over).slice(0, 80)).toEqual([400, code]);
      }
      const missing = await submit({ message: 'No type given here at all' });
      expect(missing.statusCode).toBe(400);
      const after = await t.ctx.db
        .selectFrom('feedback')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it(`allows ${LIMIT} submissions per IP per hour, then 429 with Retry-After; other IPs are unaffected`, async () => {
      const ip = '10.2.0.1';
      for (let i = 0; i < LIMIT; i++) expect((await submit(widgetBody(), {}, ip)).statusCode).toBe(201);
      const limited = await submit(widgetBody(), {}, ip);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json()).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
      expect((await submit(widgetBody(), {}, '10.2.0.2')).statusCode).toBe(201);
    });
  });

  describe('admin triage', () => {
    async function seed(over: Record<string, unknown> = {}) {
      return (await submit(widgetBody(over))).json().id as number;
    }

    it('lists live feedback newest first with filters and pagination, and audits the read', async () => {
      const a = await seed({ type: 'question', message: 'How do refunds work exactly?' });
      t.clock.advance(1000);
      const b = await seed({ type: 'question', message: 'Where is my review link gone?' });
      const res = await admin('GET', '/api/feedback?type=question&limit=1');
      expect(res.statusCode).toBe(200);
      expect(res.json().pagination).toEqual({ page: 1, limit: 1, total: 2 });
      expect(res.json().feedback.map((f: { id: number }) => f.id)).toEqual([b]);
      const page2 = await admin('GET', '/api/feedback?type=question&limit=1&page=2');
      expect(page2.json().feedback.map((f: { id: number }) => f.id)).toEqual([a]);
      const search = await admin('GET', '/api/feedback?q=refunds');
      expect(search.json().feedback.map((f: { id: number }) => f.id)).toEqual([a]);
      expect(search.json().feedback[0]).not.toHaveProperty('context');
      const bad = await admin('GET', '/api/feedback?status=bogus');
      expect(bad.statusCode).toBe(400);
      const log = await t.ctx.db.selectFrom('admin_audit_log').select('action').where('action', '=', 'feedback.list').execute();
      expect(log.length).toBeGreaterThanOrEqual(3);
    });

    it('shows one item with context, attachments, comments and tags', async () => {
      const id = await seed({ attachments: [{ name: 'a.txt', url: 'https://a.test/a.txt' }] });
      await admin('POST', `/api/feedback/${id}/comments`, { body: 'Reproduced on iOS 18.' });
      await admin('POST', `/api/feedback/${id}/tags`, { tag: ' Safari ' });
      const res = await admin('GET', `/api/feedback/${id}`, undefined, supportCookie);
      expect(res.statusCode).toBe(200);
      const f = res.json().feedback;
      expect(f).toMatchObject({ id, type: 'bug', tags: ['safari'], context: expect.objectContaining({ viewport: '390x844' }) });
      expect(f.attachments).toEqual([
        { id: expect.any(Number), name: 'a.txt', url: 'https://a.test/a.txt', size_bytes: null, content_type: null },
      ]);
      expect(f.comments).toEqual([
        { id: expect.any(Number), admin_user_id: expect.any(Number), body: 'Reproduced on iOS 18.', created_at: t.clock.now.getTime() },
      ]);
      expect((await admin('GET', '/api/feedback/999999')).json().code).toBe('feedback_not_found');
      expect((await admin('GET', '/api/feedback/abc')).statusCode).toBe(400);
    });

    it('updates status, priority, assignee and Jira key; resolving stamps resolved_at; audited', async () => {
      const id = await seed();
      const assignee = await t.ctx.db.selectFrom('admin_users').select('id').orderBy('id').executeTakeFirstOrThrow();
      const res = await admin('PATCH', `/api/feedback/${id}`, {
        status: 'resolved',
        priority: 'high',
        assigned_admin_id: assignee.id,
        jira_issue_key: 'QC-42',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().feedback).toMatchObject({
        status: 'resolved',
        priority: 'high',
        assigned_admin_id: assignee.id,
        jira_issue_key: 'QC-42',
      });
      const row = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.resolved_at?.getTime()).toBe(t.clock.now.getTime());
      const reopened = await admin('PATCH', `/api/feedback/${id}`, { status: 'in_progress' }, supportCookie);
      expect(reopened.json().feedback.resolved_at).toBeNull();
      for (const bad of [{ status: 'done' }, { priority: 'urgent' }, { jira_issue_key: 'lower-1' }, { message: 'rewrite' }, {}]) {
        expect((await admin('PATCH', `/api/feedback/${id}`, bad)).statusCode, JSON.stringify(bad)).toBe(400);
      }
      expect((await admin('PATCH', `/api/feedback/${id}`, { assigned_admin_id: 999999 })).json().code).toBe('admin_not_found');
      const log = await t.ctx.db
        .selectFrom('admin_audit_log')
        .select(['action', 'details'])
        .where('target_id', '=', String(id))
        .where('action', '=', 'feedback.update')
        .execute();
      expect(log).toHaveLength(2);
    });

    it('soft-deletes (super_admin only): hidden from the list, kept in the table, no more changes', async () => {
      const id = await seed({ message: 'Please delete me later on.' });
      const denied = await admin('DELETE', `/api/feedback/${id}`, undefined, supportCookie);
      expect([denied.statusCode, denied.json().code]).toEqual([403, 'admin_role_required']);
      expect((await admin('DELETE', `/api/feedback/${id}`)).json()).toEqual({ success: true });
      const row = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.deleted_at).not.toBeNull();
      expect(row.deleted_by_admin_id).not.toBeNull();
      const list = await admin('GET', '/api/feedback?q=delete%20me');
      expect(list.json().feedback).toEqual([]);
      const withDeleted = await admin('GET', '/api/feedback?q=delete%20me&include_deleted=true');
      expect(withDeleted.json().feedback.map((f: { id: number }) => f.id)).toEqual([id]);
      expect((await admin('DELETE', `/api/feedback/${id}`)).statusCode).toBe(404);
      expect((await admin('PATCH', `/api/feedback/${id}`, { status: 'new' })).statusCode).toBe(404);
      expect((await admin('POST', `/api/feedback/${id}/comments`, { body: 'late' })).statusCode).toBe(404);
    });

    it('tags: added once, normalised, counted, removed; invalid tags are 400', async () => {
      const id = await seed();
      await admin('POST', `/api/feedback/${id}/tags`, { tag: 'Payments' });
      const again = await admin('POST', `/api/feedback/${id}/tags`, { tag: 'payments' });
      expect(again.json()).toEqual({ tags: ['payments'] });
      const filtered = await admin('GET', '/api/feedback?tag=payments');
      expect(filtered.json().feedback.map((f: { id: number }) => f.id)).toEqual([id]);
      const counts = await admin('GET', '/api/feedback/tags');
      expect(counts.json().tags).toContainEqual({ name: 'payments', count: 1 });
      expect((await admin('POST', `/api/feedback/${id}/tags`, { tag: '!!!' })).json().code).toBe('invalid_tag');
      expect((await admin('DELETE', `/api/feedback/${id}/tags/payments`)).json()).toEqual({ tags: [] });
      expect((await admin('DELETE', `/api/feedback/${id}/tags/payments`)).json().code).toBe('tag_not_found');
    });

    it('comments: empty ones are refused', async () => {
      const id = await seed();
      expect((await admin('POST', `/api/feedback/${id}/comments`, { body: '   ' })).json().code).toBe('empty_comment');
      expect((await admin('POST', `/api/feedback/${id}/comments`, { body: '' })).statusCode).toBe(400);
    });

    it('analytics: counts by type, status, priority and day, and the average rating', async () => {
      const res = await admin('GET', '/api/feedback/analytics?days=7');
      expect(res.statusCode).toBe(200);
      const a = res.json();
      const live = await t.ctx.db.selectFrom('feedback').selectAll().where('deleted_at', 'is', null).execute();
      expect(a.total).toBe(live.length);
      expect(Object.values(a.by_type as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(live.length);
      expect(a.by_type.bug).toBe(live.filter((f) => f.type === 'bug').length);
      const rated = live.filter((f) => f.rating !== null);
      expect(a.rating_count).toBe(rated.length);
      expect(a.average_rating).toBeCloseTo(rated.reduce((s, f) => s + (f.rating ?? 0), 0) / rated.length, 2);
      expect(a.per_day.reduce((s: number, d: { count: number }) => s + d.count, 0)).toBe(live.length);
      expect(a.per_day[0].date).toBe('2026-03-02');
      expect((await admin('GET', '/api/feedback/analytics?days=0')).statusCode).toBe(400);
    });

    it('every admin feedback route passes the auth matrix', async () => {
      const id = await seed();
      for (const call of [
        { method: 'GET', url: '/api/feedback' },
        { method: 'GET', url: '/api/feedback/analytics' },
        { method: 'GET', url: '/api/feedback/tags' },
        { method: 'GET', url: `/api/feedback/${id}` },
        { method: 'PATCH', url: `/api/feedback/${id}`, payload: { status: 'archived' } },
        { method: 'DELETE', url: `/api/feedback/${id}` },
        { method: 'POST', url: `/api/feedback/${id}/comments`, payload: { body: 'hi' } },
        { method: 'POST', url: `/api/feedback/${id}/tags`, payload: { tag: 'x' } },
        { method: 'DELETE', url: `/api/feedback/${id}/tags/x` },
      ] as const) {
        await expectAdminAuthMatrix(t, call);
      }
      const row = await t.ctx.db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect([row.status, row.deleted_at]).toEqual(['new', null]);
    });
  });
});
