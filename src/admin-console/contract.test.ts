/**
 * Contract tests generated from the table of legacy-admin-contract.md §2: every call the console
 * makes, with the body it sends, asserting the fields it reads (and that it needs a session). The
 * inventory at the end fails when the listener serves a route this table and §3 do not list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ORIGIN, ConsoleBrowser, type ConsoleTestApp, createConsoleTestApp, signedInAdmin } from '../../test/admin-console.ts';
import { tokenFor } from '../../test/factories.ts';
import { routerRoutes } from '../../test/security/inventory.ts';

interface World {
  feedbackId: number;
  doomedFeedbackId: number;
  doomedAdminId: number;
  adminId: number;
  mainToken: string;
}
interface Call {
  n: number;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: (w: World) => string;
  body?: (w: World) => unknown;
  status?: number;
  /** Paths the SPA reads: `a.b`, `list[].field` (every element; the list must not be empty). */
  reads: string[];
  /** What a call without the console's cookies gets (401 unless said: logout, a login with a pasted token). */
  anonymous?: number;
}

const CALLS: Call[] = [
  { n: 1, method: 'GET', url: () => '/api/me', reads: ['ok', 'role', 'admin_id'] },
  { n: 2, method: 'POST', url: () => '/api/auth/verify', reads: ['role'] },
  { n: 3, method: 'POST', url: () => '/api/auth/verify', body: (w) => ({ token: w.mainToken }), reads: ['role'], anonymous: 200 },
  { n: 5, method: 'GET', url: () => '/api/flags', reads: ['flags[].key'] },
  { n: 6, method: 'GET', url: () => '/api/feedback?status=new&limit=1', reads: ['pagination.total'] },
  {
    n: 7,
    method: 'GET',
    url: () => '/api/flags',
    reads: ['flags[].key', 'flags[].name', 'flags[].description', 'flags[].enabled', 'flags[].min_plan', 'flags[].updated_at'],
  },
  {
    n: 8,
    method: 'POST',
    url: () => '/api/flags',
    body: () => ({ key: 'contract_flag', name: 'Contract flag', description: 'd', enabled: false, min_plan: 'free' }),
    status: 201,
    reads: [],
  },
  { n: 9, method: 'PATCH', url: () => '/api/flags?key=contract_flag', body: () => ({ enabled: true }), reads: [] },
  {
    n: 10,
    method: 'PATCH',
    url: () => '/api/flags?key=contract_flag',
    body: () => ({
      id: '1',
      key: 'contract_flag',
      name: 'Contract flag 2',
      description: 'd',
      enabled: true,
      min_plan_level: 0,
      min_plan: 'pro',
      created_at: 'x',
      updated_at: 'y',
    }),
    reads: [],
  },
  { n: 11, method: 'DELETE', url: () => '/api/flags?key=contract_flag', reads: [] },
  {
    n: 12,
    method: 'GET',
    url: () =>
      '/api/feedback?page=1&limit=10&sort_by=created_at&sort_order=desc&type=bug&status=new&priority=medium&journey_stage=awareness&search=freezes',
    reads: [
      'pagination.total',
      ...[
        'id',
        'type',
        'status',
        'priority',
        'message',
        'rating',
        'email',
        'device_type',
        'journey_stage',
        'jira_ticket_key',
        'attachment_count',
        'comment_count',
        'created_at',
      ].map((f) => `feedback[].${f}`),
    ],
  },
  {
    n: 13,
    method: 'GET',
    url: (w) => `/api/feedback/${w.feedbackId}`,
    reads: [
      ...[
        'id',
        'type',
        'status',
        'priority',
        'message',
        'rating',
        'email',
        'wants_followup',
        'user_id',
        'page_url',
        'device_type',
        'journey_stage',
        'expected_behavior',
        'actual_behavior',
        'created_at',
        'jira_ticket_key',
        'jira_ticket_url',
      ].map((f) => `feedback.${f}`),
      ...['id', 'file_name', 'file_size', 'storage_url'].map((f) => `attachments[].${f}`),
      ...['id', 'comment', 'admin_name', 'created_at'].map((f) => `comments[].${f}`),
    ],
  },
  { n: 14, method: 'PATCH', url: (w) => `/api/feedback/${w.feedbackId}`, body: () => ({ priority: 'high' }), reads: [] },
  { n: 15, method: 'DELETE', url: (w) => `/api/feedback/${w.doomedFeedbackId}`, reads: [] },
  { n: 16, method: 'POST', url: (w) => `/api/feedback/jira?id=${w.feedbackId}`, status: 503, reads: ['error'] },
  {
    n: 17,
    method: 'POST',
    url: () => '/api/feedback/comments',
    body: (w) => ({ feedback_id: String(w.feedbackId), comment: 'Contract note', is_internal: true }),
    status: 201,
    reads: [],
  },
  { n: 18, method: 'GET', url: () => '/api/me', reads: ['admin_id'] },
  {
    n: 19,
    method: 'GET',
    url: () => '/api/team',
    reads: ['admins[].id', 'admins[].email', 'admins[].name', 'admins[].last_activity', 'admins[].xano_user_id'],
  },
  {
    n: 20,
    method: 'GET',
    url: () => '/api/health',
    reads: [
      'database.status',
      'database.message',
      'database.response_time_ms',
      'xano.status',
      'xano.message',
      'xano.response_time_ms',
      'environment.status',
      'environment.message',
      'timestamp',
    ],
  },
  {
    n: 21,
    method: 'GET',
    url: () => '/api/notifications',
    reads: ['config.alert_emails', 'config.sla_threshold', 'config.moderation_threshold'],
  },
  {
    n: 22,
    method: 'PATCH',
    url: () => '/api/notifications',
    body: () => ({ id: '1', alert_emails: 'ops@mindpick.test', sla_threshold: 85, moderation_threshold: 20 }),
    reads: [],
  },
  {
    n: 23,
    method: 'POST',
    url: () => '/api/team',
    body: () => ({ email: 'contract@example.test', name: 'Contract' }),
    status: 201,
    reads: [],
  },
  { n: 24, method: 'DELETE', url: (w) => `/api/team?id=${w.doomedAdminId}`, reads: [] },
  { n: 26, method: 'POST', url: () => '/api/notifications/test', reads: ['message'] },
  // Last: these end the session.
  { n: 25, method: 'POST', url: () => '/api/team/revoke-sessions', reads: [] },
  { n: 4, method: 'POST', url: () => '/api/auth/logout', reads: [], anonymous: 200 },
];

/** The value at `path` in every element it reaches; a `[]` segment must meet a non-empty array. */
function valuesAt(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const seg of path.split('.')) {
    const list = seg.endsWith('[]');
    const key = list ? seg.slice(0, -2) : seg;
    current = current.flatMap((o) => {
      const v = (o as Record<string, unknown> | null)?.[key];
      if (!list) return [v];
      if (!Array.isArray(v) || !v.length) throw new Error(`${path}: ${key} is not a non-empty array`);
      return v;
    });
  }
  return current;
}

describe('admin console contract (§2 calls)', () => {
  let t: ConsoleTestApp;
  let world: World;
  let browser: ConsoleBrowser;
  beforeAll(async () => {
    t = await createConsoleTestApp();
    const signed = await signedInAdmin(t);
    browser = signed.browser;
    const doomed = await signedInAdmin(t, 'support_admin');
    const fb = (message: string) =>
      t.ctx.db
        .insertInto('feedback')
        .values({
          type: 'bug',
          message,
          email: 'r@example.test',
          page_url: '/ask',
          context: JSON.stringify({ device_type: 'mobile', journey_stage: 'awareness', expected_behavior: 'a', actual_behavior: 'b' }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const feedback = await fb('The page freezes on submit.');
    await t.ctx.db
      .insertInto('feedback_attachment')
      .values({ feedback_id: feedback.id, name: 'a.png', url: 'https://files.test/a.png', size_bytes: 10 })
      .execute();
    await t.ctx.db
      .insertInto('feedback_comment')
      .values({ feedback_id: feedback.id, admin_user_id: signed.admin.id, body: 'Seen' })
      .execute();
    world = {
      feedbackId: feedback.id,
      doomedFeedbackId: (await fb('This one will be archived.')).id,
      doomedAdminId: doomed.admin.id,
      adminId: signed.admin.id,
      mainToken: await tokenFor(t.ctx, signed.user),
    };
  });
  afterAll(() => t.close());

  for (const call of CALLS) {
    it(`#${call.n} ${call.method} ${call.url({ feedbackId: 1, doomedFeedbackId: 2, doomedAdminId: 3, adminId: 4, mainToken: '' })} answers what the console reads, and needs a session`, async () => {
      const anonymous = await new ConsoleBrowser(t).call(call.method, call.url(world), call.body?.(world));
      expect(anonymous.statusCode, anonymous.body).toBe(call.anonymous ?? 401);
      if ((call.anonymous ?? 401) === 401) expect(anonymous.headers['set-cookie']).toBeUndefined();

      const res = await browser.call(call.method, call.url(world), call.body?.(world));
      expect(res.statusCode, res.body).toBe(call.status ?? 200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json();
      if (res.statusCode < 300) expect(body.success).toBe(true);
      for (const path of call.reads) {
        for (const v of valuesAt(body, path)) expect(v, path).not.toBeUndefined();
      }
      if (call.n === 1 || call.n === 18) expect(typeof body.admin_id).toBe('string');
      if (call.n === 4) expect((await browser.call('GET', '/api/me')).statusCode).toBe(401);
    });
  }

  it('refuses a forged, expired, foreign or revoked admin_session on every call that needs one, changing nothing', async () => {
    const guarded = CALLS.filter((c) => (c.anonymous ?? 401) === 401 && c.n !== 2);
    const cookieOf = (b: ConsoleBrowser) => b.cookies.get('admin_session')!;
    const bumped = await signedInAdmin(t);
    const expired = await signedInAdmin(t);
    const cases: [string, string][] = [
      ['forged', 'admin_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'],
      ['main-app token', `admin_session=${world.mainToken}`],
      ['revoked', `admin_session=${cookieOf(bumped.browser)}`],
      ['expired', `admin_session=${cookieOf(expired.browser)}`],
    ];
    await t.ctx.db
      .updateTable('admin_users')
      .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
      .where('id', '=', bumped.admin.id)
      .execute();
    t.clock.advance(16 * 60_000);
    const before = await t.ctx.db
      .selectFrom('admin_audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const call of guarded) {
      for (const [label, cookie] of cases) {
        const res = await t.console.inject({
          method: call.method,
          url: call.url(world),
          headers: { cookie, origin: CONSOLE_ORIGIN, ...(call.body ? { 'content-type': 'application/json' } : {}) },
          ...(call.body ? { payload: JSON.stringify(call.body(world)) } : {}),
        });
        expect(res.statusCode, `#${call.n} ${label}`).toBe(401);
        expect(Object.keys(res.json()).sort()).toEqual(['code', 'error', 'message']);
      }
    }
    const after = await t.ctx.db
      .selectFrom('admin_audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('serves no API route that the contract does not list (§2 calls and §3 routes)', () => {
    const listed = new Set([
      ...CALLS.map(
        (c) =>
          `${c.method} ${c
            .url(world)
            .split('?')[0]!
            .replace(/\/\d+$/, '/:id')}`,
      ),
      'GET /api/feedback/analytics',
      'GET /api/feedback/tags',
      'POST /api/feedback/tags',
      'POST /api/jira-webhook',
      'POST /api/team/revoke-session',
      'GET /api/auth/refresh-from-main',
      'PATCH /api/flags/:key',
      'DELETE /api/flags/:key',
    ]);
    const served = [...routerRoutes(t.console)].filter((k) => k.includes(' /api') && !k.startsWith('HEAD '));
    expect(served.filter((k) => !listed.has(k))).toEqual([]);
    expect([...listed].filter((k) => !served.includes(k as never))).toEqual([]);
  });
});
