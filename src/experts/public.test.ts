import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { createExpert } from '../../test/factories.ts';

/** Everything a public page may show of an expert profile. Anything else in the body is a leak. */
const PUBLIC_FIELDS = [
  'accepting_questions',
  'avatar_url',
  'bio',
  'charity_percentage',
  'currency',
  'expertise',
  'handle',
  'id',
  'name',
  'price_cents',
  'professional_title',
  'public',
  'selected_charity',
  'sla_hours',
  'socials',
  'tagline',
  'tier1_description',
  'tier1_enabled',
  'tier1_price_cents',
  'tier1_sla_hours',
  'tier2_description',
  'tier2_enabled',
  'tier2_max_price_cents',
  'tier2_min_price_cents',
  'tier2_pricing_mode',
  'tier2_sla_hours',
];

describe('public profile and handle check', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /public/profile shows only public fields: no e-mail, user id, threshold or internal columns', async () => {
    const { user, profile } = await createExpert(t.ctx.db, { handle: 'pub_expert', tier2_auto_decline_below_cents: 4321 });
    await t.ctx.db
      .updateTable('expert_profile')
      .set({ status: 'internal-status', expertise: JSON.stringify(['a']), socials: JSON.stringify({ web: 'https://w.example' }) })
      .where('id', '=', profile.id)
      .execute();
    const res = await t.app.inject({ method: 'GET', url: '/api:BQW1GS7L/public/profile?handle=pub_expert' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['expert_profile', 'tiers', 'user']);
    expect(Object.keys(body.expert_profile).sort()).toEqual(PUBLIC_FIELDS);
    expect(body.user).toEqual({ name: 'Expert Person' });
    expect(body.expert_profile).toMatchObject({
      id: profile.id,
      handle: 'pub_expert',
      name: 'Expert Person',
      expertise: ['a'],
      socials: { web: 'https://w.example' },
    });
    expect(body.tiers).toEqual({
      quick_consult: { price_cents: 5000, sla_hours: 24, description: '' },
      deep_dive: { pricing_mode: 'asker_proposes', min_price_cents: 10000, max_price_cents: 50000, sla_hours: 48, description: '' },
    });
    for (const secret of [user.email, '4321', 'internal-status', 'user_id', 'auto_decline', 'daily_digest'])
      expect(res.body).not.toContain(secret);
  });

  it('answers 404 for an unknown handle, a private profile and a different case', async () => {
    const { profile } = await createExpert(t.ctx.db, { handle: 'hidden_one' });
    await t.ctx.db.updateTable('expert_profile').set({ public: false }).where('id', '=', profile.id).execute();
    for (const handle of ['no_such_handle', 'hidden_one', 'PUB_EXPERT']) {
      const res = await t.app.inject({ method: 'GET', url: `/public/profile?handle=${handle}` });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('profile_not_found');
    }
    expect((await t.app.inject({ method: 'GET', url: '/public/profile' })).statusCode).toBe(400);
  });

  it('lists a disabled tier as null', async () => {
    const { profile } = await createExpert(t.ctx.db, { handle: 'one_tier', tier2_enabled: false });
    await t.ctx.db.updateTable('expert_profile').set({ tier1_enabled: false }).where('id', '=', profile.id).execute();
    const res = await t.app.inject({ method: 'GET', url: '/public/profile?handle=one_tier' });
    expect(res.json().tiers).toEqual({ quick_consult: null, deep_dive: null });
  });

  it('GET /expert/profile/check-handle/{handle} matches exactly; an invalid handle is never available', async () => {
    await createExpert(t.ctx.db, { handle: 'Taken_Handle' });
    const check = async (h: string) =>
      (await t.app.inject({ method: 'GET', url: `/api:BQW1GS7L/expert/profile/check-handle/${h}` })).json();
    expect(await check('Taken_Handle')).toEqual({ available: false, handle: 'Taken_Handle' });
    expect(await check('taken_handle')).toEqual({ available: true, handle: 'taken_handle' });
    expect(await check('free.handle-1')).toEqual({ available: true, handle: 'free.handle-1' });
    expect((await check('ab')).available).toBe(false);
    expect((await check('x'.repeat(31))).available).toBe(false);
  });

  it('limits handle checks per client IP (429 with Retry-After)', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/expert/profile/check-handle/abc', remoteAddress: '10.7.0.1' });
    for (let i = 0; i < 120; i++)
      res = await t.app.inject({ method: 'GET', url: '/expert/profile/check-handle/abc', remoteAddress: '10.7.0.1' });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
    expect(res.headers['retry-after']).toBeDefined();
  });
});
