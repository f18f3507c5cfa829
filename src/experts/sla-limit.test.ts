/**
 * SLAs must fit inside the card hold (issue #20 item 4): PUT /me/profile and PUT /expert/pricing-tiers
 * refuse an answer time past hold − margin before writing anything, and check only changed values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createExpert, tokenFor } from '../../test/factories.ts';
import { loadConfig } from '../config.ts';

describe('SLA limit of the payment hold', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function expert(app: TestApp = t) {
    const e = await createExpert(app.ctx.db);
    return { ...e, headers: bearer(await tokenFor(app.ctx, e.user)) };
  }
  const row = (app: TestApp, id: number) =>
    app.ctx.db.selectFrom('expert_profile').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const putTiers = (app: TestApp, headers: Record<string, string>, payload: object) =>
    app.app.inject({ method: 'PUT', url: '/expert/pricing-tiers', headers, payload });
  const putProfile = (app: TestApp, headers: Record<string, string>, handle: string, over: object) =>
    app.app.inject({ method: 'PUT', url: '/me/profile', headers, payload: { handle, tier2_enabled: true, ...over } });

  it('PUT /expert/pricing-tiers refuses a Quick Consult SLA above 156 h and a Deep Dive SLA above 132 h, writing nothing', async () => {
    const e = await expert();
    const before = await row(t, e.profile.id);
    const qc = await putTiers(t, e.headers, { quick_consult: { sla_hours: 157, price_cents: 9900 } });
    expect(qc.statusCode).toBe(400);
    expect(qc.json()).toMatchObject({ code: 'sla_exceeds_hold', error: expect.any(String) });
    expect(qc.json().message).toContain('at most 156 hours');
    const dd = await putTiers(t, e.headers, { deep_dive: { sla_hours: 133, description: 'changed' } });
    expect([dd.statusCode, dd.json().code]).toEqual([400, 'sla_exceeds_hold']);
    expect(dd.json().message).toContain('at most 132 hours');
    expect(await row(t, e.profile.id)).toEqual(before);
  });

  it('accepts exactly the limit on both tiers', async () => {
    const e = await expert();
    const res = await putTiers(t, e.headers, { quick_consult: { sla_hours: 156 }, deep_dive: { sla_hours: 132 } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await row(t, e.profile.id)).toMatchObject({ tier1_sla_hours: 156, tier2_sla_hours: 132, sla_hours: 156 });
  });

  it('PUT /me/profile refuses either tier above the limit and keeps the row', async () => {
    const e = await expert();
    const before = await row(t, e.profile.id);
    const handle = before.handle as string;
    const qc = await putProfile(t, e.headers, handle, { tier1_sla_hours: 200, bio: 'new bio' });
    expect([qc.statusCode, qc.json().code]).toEqual([400, 'sla_exceeds_hold']);
    expect(qc.json().message).toContain('156 hours');
    const dd = await putProfile(t, e.headers, handle, { tier2_sla_hours: 140, bio: 'new bio' });
    expect([dd.statusCode, dd.json().code]).toEqual([400, 'sla_exceeds_hold']);
    expect(dd.json().message).toContain('132 hours');
    expect(await row(t, e.profile.id)).toEqual(before);
    const ok = await putProfile(t, e.headers, handle, { tier1_sla_hours: 156, tier2_sla_hours: 132 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await row(t, e.profile.id)).toMatchObject({ tier1_sla_hours: 156, tier2_sla_hours: 132 });
  });

  it('an SLA stored before the limit does not block editing other fields', async () => {
    const e = await expert();
    await t.ctx.db
      .updateTable('expert_profile')
      .set({ tier1_sla_hours: 300, tier2_sla_hours: 300 })
      .where('id', '=', e.profile.id)
      .execute();
    const tiers = await putTiers(t, e.headers, { quick_consult: { price_cents: 7000 }, deep_dive: { sla_hours: 300 } });
    expect(tiers.statusCode, tiers.body).toBe(200);
    const profile = await putProfile(t, e.headers, e.profile.handle as string, { tier1_sla_hours: 300, tier2_sla_hours: 300, bio: 'kept' });
    expect(profile.statusCode, profile.body).toBe(200);
    expect(await row(t, e.profile.id)).toMatchObject({ tier1_sla_hours: 300, tier2_sla_hours: 300, bio: 'kept', tier1_price_cents: 5000 });
  });

  it('PAYMENT_HOLD_HOURS and PAYMENT_HOLD_MARGIN_HOURS move the limit', async () => {
    const other = await createTestApp({ PAYMENT_HOLD_HOURS: '72', PAYMENT_HOLD_MARGIN_HOURS: '0' });
    try {
      const e = await expert(other);
      const over = await putTiers(other, e.headers, { quick_consult: { sla_hours: 73 } });
      expect([over.statusCode, over.json().code]).toEqual([400, 'sla_exceeds_hold']);
      expect(over.json().message).toContain('at most 72 hours');
      expect((await putTiers(other, e.headers, { quick_consult: { sla_hours: 72 }, deep_dive: { sla_hours: 48 } })).statusCode).toBe(200);
      expect((await putTiers(other, e.headers, { deep_dive: { sla_hours: 49 } })).json().code).toBe('sla_exceeds_hold');
    } finally {
      await other.close();
    }
  });

  it('refuses a margin that is not below the hold, and holds outside 24–720 hours', () => {
    const base = { JWT_SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/qc-test-unused' };
    expect(loadConfig(base).paymentHold).toEqual({ hours: 168, marginHours: 12 });
    expect(() => loadConfig({ ...base, PAYMENT_HOLD_HOURS: '48', PAYMENT_HOLD_MARGIN_HOURS: '48' })).toThrow(/must be less than/);
    expect(() => loadConfig({ ...base, PAYMENT_HOLD_HOURS: '23' })).toThrow(/PAYMENT_HOLD_HOURS/);
    expect(() => loadConfig({ ...base, PAYMENT_HOLD_MARGIN_HOURS: '73' })).toThrow(/PAYMENT_HOLD_MARGIN_HOURS/);
  });
});
