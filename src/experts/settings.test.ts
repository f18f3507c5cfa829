import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { bearer, createExpert, createUser, tokenFor } from '../../test/factories.ts';

/** The owner's expert_profile allow-list (client contract §2.15). */
const OWN_PROFILE_FIELDS = [
  'accepting_questions',
  'avatar_url',
  'bio',
  'charity_percentage',
  'created_at',
  'currency',
  'daily_digest_enabled',
  'expertise',
  'handle',
  'id',
  'price_cents',
  'professional_title',
  'public',
  'selected_charity',
  'sla_hours',
  'socials',
  'status',
  'tagline',
  'tier1_description',
  'tier1_enabled',
  'tier1_price_cents',
  'tier1_sla_hours',
  'tier2_auto_decline_below_cents',
  'tier2_description',
  'tier2_enabled',
  'tier2_max_price_cents',
  'tier2_min_price_cents',
  'tier2_pricing_mode',
  'tier2_sla_hours',
  'updated_at',
  'user_id',
];

/** What the legacy settings page PUTs: dollars × 100, so floats. */
const settingsBody = (over: Record<string, unknown> = {}) => ({
  handle: '  ada_l ',
  bio: 'I answer questions about engines.',
  public: true,
  currency: 'USD',
  price_cents: 1,
  sla_hours: 1,
  tier1_enabled: true,
  tier1_price_cents: 1998.9999999999998,
  tier1_sla_hours: 12,
  tier1_description: 'Quick answer',
  tier2_enabled: true,
  tier2_pricing_mode: 'range',
  tier2_min_price_cents: 5000.000000001,
  tier2_max_price_cents: 20000,
  tier2_sla_hours: 72,
  tier2_auto_decline_below_cents: 3000.4,
  tier2_description: 'Deep answer',
  professional_title: 'Engineer',
  tagline: 'Engines!',
  expertise: ['engines', 'math'],
  socials: { twitter: 'https://x.example/ada' },
  charity_percentage: 10,
  selected_charity: 'code-club',
  accepting_questions: true,
  daily_digest_enabled: false,
  ...over,
});

describe('expert settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function signedIn(email?: string) {
    const user = await createUser(t.ctx.db, email ? { email } : {});
    return { user, headers: bearer(await tokenFor(t.ctx, user)) };
  }

  describe('POST /me/bootstrap', () => {
    it('creates the default profile on the first call and returns the same one after', async () => {
      const { user, headers } = await signedIn();
      const first = await t.app.inject({ method: 'POST', url: '/api:3B14WLbJ/me/bootstrap', headers });
      expect(first.statusCode).toBe(200);
      const body = first.json();
      expect(Object.keys(body.expert_profile).sort()).toEqual(OWN_PROFILE_FIELDS);
      expect(body.expert_profile).toMatchObject({
        user_id: user.id,
        handle: null,
        public: false,
        price_cents: 5000,
        sla_hours: 24,
        tier1_price_cents: 5000,
        tier1_sla_hours: 24,
        tier2_enabled: false,
        accepting_questions: true,
        created_at: t.clock.now.getTime(),
      });
      expect(body.user).toMatchObject({ id: user.id, email: user.email });
      const second = await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      expect(second.json().expert_profile.id).toBe(body.expert_profile.id);
      const rows = await t.ctx.db.selectFrom('expert_profile').select('id').where('user_id', '=', user.id).execute();
      expect(rows).toHaveLength(1);
    });

    it('answers 401 without or with a bad token', async () => {
      expect((await t.app.inject({ method: 'POST', url: '/me/bootstrap' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers: bearer('bad') })).statusCode).toBe(401);
    });

    // Concurrency only exists on PostgreSQL: PGlite runs one statement at a time in-process.
    it.runIf(isPostgres())('creates exactly one profile when 10 bootstraps race', async () => {
      const { user, headers } = await signedIn();
      const results = await Promise.all(Array.from({ length: 10 }, () => t.app.inject({ method: 'POST', url: '/me/bootstrap', headers })));
      expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
      expect(new Set(results.map((r) => r.json().expert_profile.id)).size).toBe(1);
      const rows = await t.ctx.db.selectFrom('expert_profile').select('id').where('user_id', '=', user.id).execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('GET /me/profile', () => {
    it('returns the user and null before bootstrap, then only the caller’s own profile', async () => {
      const { user, headers } = await signedIn();
      const other = await createExpert(t.ctx.db);
      const before = await t.app.inject({ method: 'GET', url: '/me/profile', headers });
      expect(before.statusCode).toBe(200);
      expect(before.json()).toEqual({ user: expect.objectContaining({ id: user.id, email: user.email }), expert_profile: null });
      await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      const after = await t.app.inject({ method: 'GET', url: '/api:3B14WLbJ/me/profile', headers });
      expect(after.json().expert_profile.user_id).toBe(user.id);
      expect(after.body).not.toContain(other.user.email);
      expect(after.body).not.toContain(other.profile.handle ?? '-');
      expect(after.headers['cache-control']).toBe('no-store');
    });

    it('answers 401 without or with a bad token', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/me/profile' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/me/profile', headers: bearer('bad') })).statusCode).toBe(401);
    });
  });

  describe('PUT /me/profile', () => {
    it('replaces the profile: trims the handle, rounds cents, mirrors tier 1 into price_cents/sla_hours', async () => {
      const { user, headers } = await signedIn();
      await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      await t.ctx.db
        .updateTable('expert_profile')
        .set({ avatar_url: 'https://img.example/a.webp' })
        .where('user_id', '=', user.id)
        .execute();
      t.clock.advance(5000);
      const res = await t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: settingsBody() });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(OWN_PROFILE_FIELDS);
      expect(body).toMatchObject({
        handle: 'ada_l',
        tier1_price_cents: 1999,
        price_cents: 1999,
        sla_hours: 12,
        tier2_min_price_cents: 5000,
        tier2_auto_decline_below_cents: 3000,
        tier2_pricing_mode: 'range',
        expertise: ['engines', 'math'],
        socials: { twitter: 'https://x.example/ada' },
        avatar_url: 'https://img.example/a.webp',
        daily_digest_enabled: false,
        updated_at: t.clock.now.getTime(),
      });
      const row = await t.ctx.db.selectFrom('expert_profile').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        handle: 'ada_l',
        price_cents: 1999,
        tier1_price_cents: 1999,
        tier2_max_price_cents: 20000,
        public: true,
      });
    });

    it('is a full replace: omitted fields get their defaults; JSON strings are accepted for expertise and socials', async () => {
      const { headers } = await signedIn();
      await t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: settingsBody({ handle: 'replace_me' }) });
      const res = await t.app.inject({
        method: 'PUT',
        url: '/me/profile',
        headers,
        payload: {
          handle: 'replace_me',
          tier1_price_cents: 2500,
          expertise: '["a","b"]',
          socials: '{"web":"https://w.example"}',
          tier2_enabled: null,
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        bio: null,
        public: false,
        tier2_enabled: false,
        tier2_min_price_cents: 0,
        tier2_auto_decline_below_cents: null,
        tier1_sla_hours: 24,
        sla_hours: 24,
        price_cents: 2500,
        accepting_questions: true,
        expertise: ['a', 'b'],
        socials: { web: 'https://w.example' },
      });
    });

    it('creates the profile when the user has none yet', async () => {
      const { user, headers } = await signedIn();
      const res = await t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: settingsBody({ handle: 'no_bootstrap' }) });
      expect(res.statusCode).toBe(200);
      expect(res.json().user_id).toBe(user.id);
    });

    it('answers 409 for a handle another expert holds, and keeps both rows unchanged', async () => {
      const other = await createExpert(t.ctx.db, { handle: 'taken_one' });
      const { user, headers } = await signedIn();
      const res = await t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: settingsBody({ handle: ' taken_one ' }) });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({
        error: 'That handle is already taken.',
        message: 'That handle is already taken.',
        code: 'handle_taken',
      });
      expect(await t.ctx.db.selectFrom('expert_profile').select('id').where('user_id', '=', user.id).executeTakeFirst()).toBeUndefined();
      const row = await t.ctx.db.selectFrom('expert_profile').selectAll().where('id', '=', other.profile.id).executeTakeFirstOrThrow();
      expect(row.user_id).toBe(other.user.id);
      // Handles match exactly (case-sensitive), as in the legacy system.
      expect(
        (await t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: settingsBody({ handle: 'Taken_One' }) })).statusCode,
      ).toBe(200);
    });

    it('keeps its own handle on a re-save', async () => {
      const { headers } = await signedIn();
      for (let i = 0; i < 2; i++) {
        expect(
          (await t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: settingsBody({ handle: 'mine_again' }) })).statusCode,
        ).toBe(200);
      }
    });

    it('rejects invalid input with 400 and a code', async () => {
      const { headers } = await signedIn();
      const put = (payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/me/profile', headers, payload });
      const cases: [Record<string, unknown>, string][] = [
        [settingsBody({ handle: 'x'.repeat(31) }), 'handle_too_long'],
        [settingsBody({ handle: 'bad handle!' }), 'handle_invalid'],
        [settingsBody({ handle: '   ' }), 'handle_required'],
        [settingsBody({ tier2_min_price_cents: 30000, tier2_max_price_cents: 20000 }), 'tier2_range_invalid'],
        [settingsBody({ bio: 'b'.repeat(601) }), 'validation_failed'],
        [settingsBody({ tier1_price_cents: -5 }), 'validation_failed'],
        [settingsBody({ charity_percentage: 101 }), 'validation_failed'],
        [settingsBody({ expertise: [1, 2] }), 'validation_failed'],
        [settingsBody({ socials: 'not json' }), 'validation_failed'],
        [settingsBody({ handle: undefined }), 'validation_failed'],
      ];
      for (const [payload, code] of cases) {
        const res = await put(payload);
        expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
        expect(res.json().code).toBe(code);
      }
    });

    it('ignores fields the schema does not name (X path): user_id is never written', async () => {
      const { user, headers } = await signedIn();
      const res = await t.app.inject({
        method: 'PUT',
        url: '/me/profile',
        headers,
        payload: settingsBody({ handle: `own${user.id}`, user_id: 1 }),
      });
      expect(res.statusCode).toBe(200);
      const row = await t.database.db
        .selectFrom('expert_profile')
        .select('user_id')
        .where('handle', '=', `own${user.id}`)
        .executeTakeFirstOrThrow();
      expect(row.user_id).toBe(user.id);
    });

    it('answers 401 without or with a bad token', async () => {
      expect((await t.app.inject({ method: 'PUT', url: '/me/profile', payload: settingsBody() })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'PUT', url: '/me/profile', payload: settingsBody(), headers: bearer('bad') })).statusCode).toBe(
        401,
      );
    });
  });

  describe('PUT /me/account', () => {
    it('updates the caller’s name and address only', async () => {
      const { user, headers } = await signedIn();
      const other = await createUser(t.ctx.db, { name: 'Other Person' });
      const res = await t.app.inject({
        method: 'PUT',
        url: '/me/account',
        headers,
        payload: { fname: ' Ada ', lname: 'Lovelace', address: '1 Engine St', city: 'London', country: 'UK', zip: 'N1' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        success: true,
        user: { id: user.id, fname: 'Ada', lname: 'Lovelace', name: 'Ada Lovelace', city: 'London' },
      });
      const row = await t.ctx.db.selectFrom('user').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ fname: 'Ada', address: '1 Engine St', zip: 'N1', country: 'UK' });
      const untouched = await t.ctx.db.selectFrom('user').selectAll().where('id', '=', other.id).executeTakeFirstOrThrow();
      expect(untouched).toMatchObject({ name: 'Other Person', fname: null });
    });

    it('ignores unknown fields (X path, never written), rejects too long values, missing or bad tokens', async () => {
      const { headers, user } = await signedIn();
      expect((await t.app.inject({ method: 'PUT', url: '/me/account', headers, payload: { email: 'x@example.test' } })).statusCode).toBe(
        200,
      );
      const row = await t.database.db.selectFrom('user').select('email').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.email).toBe(user.email);
      expect((await t.app.inject({ method: 'PUT', url: '/me/account', headers, payload: { zip: 'z'.repeat(21) } })).statusCode).toBe(400);
      expect((await t.app.inject({ method: 'PUT', url: '/me/account', payload: {} })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'PUT', url: '/me/account', payload: {}, headers: bearer('bad') })).statusCode).toBe(401);
    });
  });

  describe('POST /expert/profile/availability and /upload/profile-picture', () => {
    it('toggles accepting_questions of the caller’s profile', async () => {
      const { user, headers } = await signedIn();
      expect(
        (await t.app.inject({ method: 'POST', url: '/expert/profile/availability', headers, payload: { accepting_questions: false } }))
          .statusCode,
      ).toBe(404);
      await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      const res = await t.app.inject({
        method: 'POST',
        url: '/expert/profile/availability',
        headers,
        payload: { accepting_questions: false },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true, accepting_questions: false });
      const row = await t.ctx.db
        .selectFrom('expert_profile')
        .select('accepting_questions')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row.accepting_questions).toBe(false);
      expect((await t.app.inject({ method: 'POST', url: '/expert/profile/availability', headers, payload: {} })).statusCode).toBe(400);
      expect(
        (await t.app.inject({ method: 'POST', url: '/expert/profile/availability', payload: { accepting_questions: true } })).statusCode,
      ).toBe(401);
    });

    it('sets the avatar URL, removes it with null, and refuses non-http URLs', async () => {
      const { user, headers } = await signedIn();
      await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      const set = await t.app.inject({
        method: 'POST',
        url: '/upload/profile-picture',
        headers,
        payload: { image_url: 'https://cdn.example/p/me.webp' },
      });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toEqual({ url: 'https://cdn.example/p/me.webp', message: expect.any(String) });
      const cleared = await t.app.inject({ method: 'POST', url: '/upload/profile-picture', headers, payload: { image_url: null } });
      expect(cleared.json().url).toBe('');
      const row = await t.ctx.db.selectFrom('expert_profile').select('avatar_url').where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.avatar_url).toBe('');
      const bad = await t.app.inject({
        method: 'POST',
        url: '/upload/profile-picture',
        headers,
        payload: { image_url: 'javascript:alert(1)' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('invalid_image_url');
      expect((await t.app.inject({ method: 'POST', url: '/upload/profile-picture', payload: { image_url: null } })).statusCode).toBe(401);
    });
  });

  describe('GET/PUT /expert/pricing-tiers', () => {
    it('shows defaults before bootstrap and changes only the given fields', async () => {
      const { user, headers } = await signedIn();
      const defaults = await t.app.inject({ method: 'GET', url: '/expert/pricing-tiers', headers });
      expect(defaults.json()).toEqual({
        quick_consult: { enabled: true, price_cents: 5000, sla_hours: 24, description: '' },
        deep_dive: {
          enabled: false,
          pricing_mode: 'asker_proposes',
          min_price_cents: 0,
          max_price_cents: 0,
          auto_decline_below_cents: null,
          sla_hours: 48,
          description: '',
        },
      });
      expect((await t.app.inject({ method: 'PUT', url: '/expert/pricing-tiers', headers, payload: {} })).statusCode).toBe(404);
      await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      const res = await t.app.inject({
        method: 'PUT',
        url: '/expert/pricing-tiers',
        headers,
        payload: {
          quick_consult: { price_cents: 7500.4, sla_hours: 6 },
          deep_dive: { enabled: true, min_price_cents: 10000, max_price_cents: 40000, auto_decline_below_cents: 8000 },
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        quick_consult: { enabled: true, price_cents: 7500, sla_hours: 6 },
        deep_dive: { enabled: true, min_price_cents: 10000, max_price_cents: 40000, auto_decline_below_cents: 8000, sla_hours: 48 },
      });
      const row = await t.ctx.db.selectFrom('expert_profile').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ price_cents: 7500, sla_hours: 6, tier1_price_cents: 7500 });
      const cleared = await t.app.inject({
        method: 'PUT',
        url: '/expert/pricing-tiers',
        headers,
        payload: { deep_dive: { auto_decline_below_cents: null } },
      });
      expect(cleared.json().deep_dive).toMatchObject({ auto_decline_below_cents: null, min_price_cents: 10000 });
    });

    it('rejects an inverted range, unknown fields and missing tokens', async () => {
      const { headers } = await signedIn();
      await t.app.inject({ method: 'POST', url: '/me/bootstrap', headers });
      const inverted = await t.app.inject({
        method: 'PUT',
        url: '/expert/pricing-tiers',
        headers,
        payload: { deep_dive: { enabled: true, min_price_cents: 50000, max_price_cents: 100 } },
      });
      expect(inverted.json().code).toBe('tier2_range_invalid');
      expect(
        (await t.app.inject({ method: 'PUT', url: '/expert/pricing-tiers', headers, payload: { quick_consult: { foo: 1 } } })).statusCode,
      ).toBe(400);
      expect((await t.app.inject({ method: 'GET', url: '/expert/pricing-tiers' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'PUT', url: '/expert/pricing-tiers', payload: {}, headers: bearer('bad') })).statusCode).toBe(
        401,
      );
    });
  });
});
