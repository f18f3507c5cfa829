import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createExpert, createUser, tokenFor } from '../../test/factories.ts';
import { hashIp } from '../http/ip-hash.ts';

const LIMIT = 5;
let ipSeq = 0;
const freshIp = () => `192.0.2.${++ipSeq}`;
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';

describe('marketing', () => {
  let t: TestApp;
  let expert: Awaited<ReturnType<typeof createExpert>>;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ TRACK_VISIT_LIMIT_PER_HOUR: String(LIMIT), CLIENT_ORIGIN: 'https://mindpick.example' });
    expert = await createExpert(t.ctx.db, { handle: 'ada' });
    auth = bearer(await tokenFor(t.ctx, expert.user));
  });
  afterAll(() => t.close());

  const get = (url: string, headers = auth) => t.app.inject({ method: 'GET', url, headers });
  const post = (url: string, payload: object, headers = auth) => t.app.inject({ method: 'POST', url, payload, headers });
  const patch = (url: string, payload: object, headers = auth) => t.app.inject({ method: 'PATCH', url, payload, headers });
  const track = (payload: object, opts: { ip?: string; headers?: Record<string, string> } = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/marketing/public/track-visit',
      payload,
      headers: opts.headers ?? {},
      remoteAddress: opts.ip ?? freshIp(),
    });

  describe('campaigns', () => {
    it('creates a campaign (lower-cased UTM values) and lists it as a bare array with string UTM fields', async () => {
      const res = await post('/api:3B14WLbJ/marketing/campaigns', {
        name: 'LinkedIn launch',
        utm_source: 'LinkedIn',
        utm_campaign: 'Launch_2026',
        utm_medium: 'Social',
      });
      expect(res.statusCode).toBe(201);
      const created = res.json();
      expect(created).toMatchObject({
        name: 'LinkedIn launch',
        utm_source: 'linkedin',
        utm_campaign: 'launch_2026',
        utm_medium: 'social',
        utm_content: '',
        status: 'active',
        total_visits: 0,
        total_questions: 0,
        total_revenue: 0,
        conversion_rate: 0,
        created_at: t.clock.now.getTime(),
        url: 'https://mindpick.example/u/ada?utm_source=linkedin&utm_campaign=launch_2026&utm_medium=social',
      });
      const list = await get('/marketing/campaigns');
      expect(list.statusCode).toBe(200);
      expect(Array.isArray(list.json())).toBe(true);
      expect(list.json()).toEqual([created]);
      const row = await t.ctx.db.selectFrom('utm_campaign').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      expect([row.expert_profile_id, row.utm_source, row.utm_content]).toEqual([expert.profile.id, 'linkedin', null]);
    });

    it('refuses a duplicate source + campaign (any case) with 409, but allows the same campaign on another source', async () => {
      const dup = await post('/marketing/campaigns', { name: 'Again', utm_source: 'LINKEDIN', utm_campaign: 'launch_2026' });
      expect([dup.statusCode, dup.json().code]).toEqual([409, 'campaign_exists']);
      const other = await post('/marketing/campaigns', { name: 'X launch', utm_source: 'x', utm_campaign: 'launch_2026' });
      expect(other.statusCode).toBe(201);
    });

    it('validates the body: required fields, lengths, unknown fields', async () => {
      for (const bad of [
        { utm_source: 'a', utm_campaign: 'b' },
        { name: 'n', utm_campaign: 'b' },
        { name: 'n', utm_source: 'a' },
        { name: 'n', utm_source: 'a'.repeat(101), utm_campaign: 'b' },
        { name: 'n', utm_source: 'a', utm_campaign: 'b', utm_content: 'c'.repeat(256) },
      ]) {
        expect((await post('/marketing/campaigns', bad)).statusCode, JSON.stringify(bad)).toBe(400);
      }
      // X path: unknown fields are ignored, never written.
      const extra = await post('/marketing/campaigns', {
        name: 'n',
        utm_source: 'xa',
        utm_campaign: 'xb',
        status: 'archived',
        total_visits: 9,
      });
      expect(extra.statusCode).toBe(201);
      expect(extra.json()).toMatchObject({ status: 'active', total_visits: 0 });
      const blank = await post('/marketing/campaigns', { name: 'n', utm_source: '   ', utm_campaign: 'b' });
      expect([blank.statusCode, blank.json().code]).toEqual([422, 'utm_required']);
    });

    it('updates and archives own campaigns; archived ones leave the list unless asked for', async () => {
      const c = (await post('/marketing/campaigns', { name: 'Newsletter', utm_source: 'newsletter', utm_campaign: 'march' })).json();
      const renamed = await patch(`/marketing/campaigns/${c.id}`, { name: 'March newsletter', status: 'paused', utm_content: 'header' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ name: 'March newsletter', status: 'paused', utm_content: 'header' });
      expect((await patch(`/marketing/campaigns/${c.id}`, { utm_source: 'other' })).statusCode).toBe(400);
      expect((await patch(`/marketing/campaigns/${c.id}`, {})).statusCode).toBe(400);
      expect((await patch(`/marketing/campaigns/${c.id}`, { status: 'archived' })).statusCode).toBe(400);

      const archived = await post(`/marketing/campaigns/${c.id}/archive`, {});
      expect(archived.json().status).toBe('archived');
      expect((await get('/marketing/campaigns')).json().map((x: { id: number }) => x.id)).not.toContain(c.id);
      expect((await get('/marketing/campaigns?include_archived=true')).json().map((x: { id: number }) => x.id)).toContain(c.id);
      const restored = await patch(`/marketing/campaigns/${c.id}`, { status: 'active' });
      expect(restored.json().status).toBe('active');
    });

    it("hides another expert's campaigns: not listed, not changeable (404), row untouched", async () => {
      const other = await createExpert(t.ctx.db, { handle: 'bob' });
      const otherAuth = bearer(await tokenFor(t.ctx, other.user));
      const theirs = (await post('/marketing/campaigns', { name: 'Bob', utm_source: 'bob', utm_campaign: 'bob' }, otherAuth)).json();
      const mine = (await get('/marketing/campaigns')).json();
      expect(mine.map((x: { id: number }) => x.id)).not.toContain(theirs.id);
      const steal = await patch(`/marketing/campaigns/${theirs.id}`, { name: 'Mine now' });
      expect([steal.statusCode, steal.json().code]).toEqual([404, 'campaign_not_found']);
      expect((await post(`/marketing/campaigns/${theirs.id}/archive`, {})).statusCode).toBe(404);
      const row = await t.ctx.db.selectFrom('utm_campaign').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow();
      expect([row.name, row.status]).toEqual(['Bob', 'active']);
    });

    it('answers a user without an expert profile with empty data, and 404 on create', async () => {
      const plain = bearer(await tokenFor(t.ctx, await createUser(t.ctx.db)));
      expect((await get('/marketing/campaigns', plain)).json()).toEqual([]);
      expect((await get('/marketing/traffic-sources', plain)).json()).toEqual([]);
      expect((await get('/marketing/insights', plain)).json().your_metrics).toEqual({
        visit_to_question: 0,
        total_visits: 0,
        total_questions: 0,
      });
      const create = await post('/marketing/campaigns', { name: 'n', utm_source: 'a', utm_campaign: 'b' }, plain);
      expect([create.statusCode, create.json().code]).toEqual([404, 'expert_profile_missing']);
    });

    it('every expert route needs a valid session: none, malformed, forged or revoked → 401', async () => {
      const revokedUser = (await createExpert(t.ctx.db)).user;
      const revoked = bearer(await tokenFor(t.ctx, revokedUser));
      await t.ctx.db.updateTable('user').set({ token_version: 1 }).where('id', '=', revokedUser.id).execute();
      const routes: [string, string, object?][] = [
        ['GET', '/marketing/campaigns'],
        ['POST', '/marketing/campaigns', { name: 'n', utm_source: 'a', utm_campaign: 'b' }],
        ['PATCH', '/marketing/campaigns/1', { name: 'x' }],
        ['POST', '/marketing/campaigns/1/archive', {}],
        ['GET', '/marketing/traffic-sources'],
        ['GET', '/marketing/insights'],
        ['GET', '/marketing/share-templates'],
      ];
      for (const [method, url, payload] of routes) {
        for (const headers of [{}, { authorization: 'Bearer' }, bearer('forged.token.sig'), revoked]) {
          const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
          expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        }
      }
    });
  });

  describe('POST /marketing/public/track-visit', () => {
    it('records a visit with a keyed IP hash (never the IP), the device type and the referrer', async () => {
      const ip = '198.51.100.7';
      const res = await track(
        { expert_handle: 'ada', utm_source: 'LinkedIn', utm_campaign: 'launch_2026', utm_medium: null, utm_content: null },
        { ip, headers: { 'user-agent': IPHONE, referer: 'https://www.linkedin.com/', 'cf-ipcountry': 'DE' } },
      );
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({ tracked: true, campaign_id: expect.any(Number), visit_id: expect.any(Number) });
      const visit = await t.ctx.db.selectFrom('campaign_visit').selectAll().where('id', '=', body.visit_id).executeTakeFirstOrThrow();
      expect(visit.visitor_ip_hash).toBe(hashIp(t.ctx.config.ipHashSecret, ip));
      expect(JSON.stringify(visit)).not.toContain(ip);
      expect(visit).toMatchObject({
        expert_profile_id: expert.profile.id,
        device_type: 'mobile',
        referrer: 'https://www.linkedin.com/',
        country: 'DE',
        converted_to_question: false,
        question_id: null,
      });
      expect(visit.visited_at.getTime()).toBe(t.clock.now.getTime());
      const campaign = (await get('/marketing/campaigns')).json().find((c: { id: number }) => c.id === body.campaign_id);
      expect(campaign).toMatchObject({ utm_source: 'linkedin', total_visits: 1, last_visit_at: t.clock.now.getTime() });
    });

    it('answers {tracked:false} for an unknown handle, and for paused or archived campaigns', async () => {
      expect((await track({ expert_handle: 'nobody', utm_source: 'a', utm_campaign: 'b' })).json()).toEqual({ tracked: false });
      expect((await track({ expert_handle: 'ADA', utm_source: 'a', utm_campaign: 'b' })).json()).toEqual({ tracked: false });
      const c = (await post('/marketing/campaigns', { name: 'Paused', utm_source: 'p', utm_campaign: 'p' })).json();
      await patch(`/marketing/campaigns/${c.id}`, { status: 'paused' });
      expect((await track({ expert_handle: 'ada', utm_source: 'p', utm_campaign: 'p' })).json()).toEqual({ tracked: false });
      const visits = await t.ctx.db.selectFrom('campaign_visit').select('id').where('campaign_id', '=', c.id).execute();
      expect(visits).toEqual([]);
    });

    it('creates a campaign the expert has not set up yet (hand-typed links)', async () => {
      const res = await track({ expert_handle: 'ada', utm_source: 'Podcast', utm_campaign: 'ep12', utm_medium: 'audio' });
      expect(res.json().tracked).toBe(true);
      const row = await t.ctx.db.selectFrom('utm_campaign').selectAll().where('id', '=', res.json().campaign_id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        expert_profile_id: expert.profile.id,
        name: 'ep12',
        utm_source: 'podcast',
        utm_medium: 'audio',
        status: 'active',
      });
    });

    it('validates the body', async () => {
      for (const bad of [
        { utm_source: 'a', utm_campaign: 'b' },
        { expert_handle: 'ada', utm_campaign: 'b' },
        { expert_handle: 'ada', utm_source: '', utm_campaign: 'b' },
      ]) {
        expect((await track(bad)).statusCode, JSON.stringify(bad)).toBe(400);
      }
    });

    it(`allows ${LIMIT} visits per IP hash per hour, then 429 with Retry-After; another IP is unaffected`, async () => {
      const ip = '203.0.113.9';
      const visit = { expert_handle: 'ada', utm_source: 'linkedin', utm_campaign: 'launch_2026' };
      for (let i = 0; i < LIMIT; i++) expect((await track(visit, { ip })).statusCode).toBe(200);
      const limited = await track(visit, { ip });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json()).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
      const hash = hashIp(t.ctx.config.ipHashSecret, ip);
      const rows = await t.ctx.db.selectFrom('campaign_visit').select('id').where('visitor_ip_hash', '=', hash).execute();
      expect(rows).toHaveLength(LIMIT);
      expect((await track(visit, { ip: '203.0.113.10' })).statusCode).toBe(200);
    });
  });

  describe('traffic sources, insights, share templates', () => {
    it('groups own visits by source as a bare array with string names', async () => {
      const res = await get('/marketing/traffic-sources');
      expect(res.statusCode).toBe(200);
      const rows = res.json() as { name: string; visits: number }[];
      expect(Array.isArray(rows)).toBe(true);
      const linkedin = rows.find((r) => r.name === 'linkedin');
      const expected = await t.ctx.db
        .selectFrom('campaign_visit as v')
        .innerJoin('utm_campaign as c', 'c.id', 'v.campaign_id')
        .select('v.id')
        .where('v.expert_profile_id', '=', expert.profile.id)
        .where('c.utm_source', '=', 'linkedin')
        .execute();
      expect(linkedin).toEqual({
        name: 'linkedin',
        visits: expected.length,
        questions: 0,
        revenue: 0,
        revenue_cents: 0,
        conversion_rate: 0,
      });
      for (const r of rows) expect(typeof r.name).toBe('string');
    });

    it('gives a low-conversion insight with four tips when visits do not convert', async () => {
      const res = await get('/marketing/insights');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.platform_average).toEqual({ visit_to_question: 3.2 });
      expect(body.your_metrics.total_visits).toBeGreaterThan(0);
      expect(body.your_metrics.visit_to_question).toBe(0);
      expect(body.insights[0]).toMatchObject({ severity: 'warning', title: 'Low conversion rate' });
      expect(body.insights[0].recommendations).toHaveLength(4);
    });

    it('offers share texts with tracked links', async () => {
      const res = await get('/marketing/share-templates');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.profile_url).toBe('https://mindpick.example/u/ada');
      expect(body.stats).toEqual({ answered_questions: 0, average_rating: null });
      expect(body.templates.map((x: { platform: string }) => x.platform)).toEqual(['linkedin', 'twitter', 'email', 'newsletter']);
      for (const tpl of body.templates) {
        expect(tpl.url).toContain(`utm_source=${tpl.platform}`);
        expect(tpl.text).toContain(tpl.url);
      }
    });
  });
});
