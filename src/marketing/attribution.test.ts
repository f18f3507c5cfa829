import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { bearer, createExpert, tokenFor } from '../../test/factories.ts';
import { askQuickConsult } from '../../test/question-helpers.ts';
import type { Db } from '../db/index.ts';
import { hashIp } from '../http/ip-hash.ts';
import { attributeQuestionToVisit, IP_MATCH_WINDOW_MS, VISIT_ID_MAX_AGE_MS } from './attribution.ts';

type Expert = Awaited<ReturnType<typeof createExpert>>;
const MIN = 60_000;

async function insertQuestion(db: Db, expertProfileId: number, priceCents = 5000, status: 'paid' | 'refunded' | 'declined' = 'paid') {
  const q = await db
    .insertInto('question')
    .values({
      expert_profile_id: expertProfileId,
      payer_email: 'asker@example.test',
      title: 'A question',
      price_cents: priceCents,
      final_price_cents: priceCents,
      status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return q.id;
}

describe('attributeQuestionToVisit', () => {
  let t: TestApp;
  let ada: Expert;
  let bob: Expert;
  let visitSeq = 0;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await createExpert(t.ctx.db);
    bob = await createExpert(t.ctx.db);
  });
  afterAll(() => t.close());

  /** A campaign visit at the current clock time, through the public route. */
  async function visit(e: Expert, ip: string) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/marketing/public/track-visit',
      remoteAddress: ip,
      payload: { expert_handle: e.profile.handle, utm_source: 'linkedin', utm_campaign: `c${++visitSeq % 3}` },
    });
    expect(res.json().tracked).toBe(true);
    return res.json() as { campaign_id: number; visit_id: number };
  }
  const attribute = (input: Omit<Parameters<typeof attributeQuestionToVisit>[1], 'now'>) =>
    t.ctx.db.transaction().execute((trx) => attributeQuestionToVisit(trx, { ...input, now: t.ctx.now() }));
  const visitRow = (id: number) => t.ctx.db.selectFrom('campaign_visit').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('links the visit id the ask page passes on and marks the visit converted', async () => {
    const v = await visit(ada, '10.0.0.1');
    t.clock.advance(10 * MIN);
    const q = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(await attribute({ expertProfileId: ada.profile.id, visitId: v.visit_id, questionId: q })).toEqual({
      visitId: v.visit_id,
      campaignId: v.campaign_id,
      matchedBy: 'visit_id',
    });
    expect(await visitRow(v.visit_id)).toMatchObject({ converted_to_question: true, question_id: q });
  });

  it('is idempotent for one question, and never links one visit to two questions', async () => {
    const v = await visit(ada, '10.0.0.2');
    const q1 = await insertQuestion(t.ctx.db, ada.profile.id);
    await attribute({ expertProfileId: ada.profile.id, visitId: v.visit_id, questionId: q1 });
    const again = await attribute({ expertProfileId: ada.profile.id, visitId: v.visit_id, questionId: q1 });
    expect(again).toEqual({ visitId: v.visit_id, campaignId: v.campaign_id, matchedBy: 'already_attributed' });
    const q2 = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(await attribute({ expertProfileId: ada.profile.id, visitId: v.visit_id, questionId: q2 })).toBeNull();
    expect((await visitRow(v.visit_id)).question_id).toBe(q1);
  });

  it("ignores a visit id of another expert's page, and one older than 7 days", async () => {
    const bobs = await visit(bob, '10.0.0.3');
    const q = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(await attribute({ expertProfileId: ada.profile.id, visitId: bobs.visit_id, questionId: q })).toBeNull();
    expect((await visitRow(bobs.visit_id)).converted_to_question).toBe(false);

    const old = await visit(ada, '10.0.0.4');
    t.clock.advance(VISIT_ID_MAX_AGE_MS + MIN);
    expect(await attribute({ expertProfileId: ada.profile.id, visitId: old.visit_id, questionId: q })).toBeNull();
  });

  it('without a visit id, takes the newest unconverted visit from the same IP hash to the same expert within an hour', async () => {
    const ip = '10.0.0.5';
    const hash = hashIp(t.ctx.config.ipHashSecret, ip);
    const first = await visit(ada, ip);
    t.clock.advance(5 * MIN);
    const second = await visit(ada, ip);
    await visit(bob, ip);
    t.clock.advance(30 * MIN);
    const q1 = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(await attribute({ expertProfileId: ada.profile.id, ipHash: hash, questionId: q1 })).toMatchObject({
      visitId: second.visit_id,
      matchedBy: 'ip_hash',
    });
    const q2 = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(await attribute({ expertProfileId: ada.profile.id, ipHash: hash, questionId: q2 })).toMatchObject({ visitId: first.visit_id });
    const q3 = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(await attribute({ expertProfileId: ada.profile.id, ipHash: hash, questionId: q3 })).toBeNull();
  });

  it('does not match by IP after an hour, from another IP, or with an unusable visit id', async () => {
    const ip = '10.0.0.6';
    await visit(ada, ip);
    const q = await insertQuestion(t.ctx.db, ada.profile.id);
    expect(
      await attribute({ expertProfileId: ada.profile.id, ipHash: hashIp(t.ctx.config.ipHashSecret, '10.0.0.99'), questionId: q }),
    ).toBeNull();
    expect(await attribute({ expertProfileId: ada.profile.id, visitId: 0, ipHash: null, questionId: q })).toBeNull();
    t.clock.advance(IP_MATCH_WINDOW_MS + MIN);
    expect(await attribute({ expertProfileId: ada.profile.id, ipHash: hashIp(t.ctx.config.ipHashSecret, ip), questionId: q })).toBeNull();
  });

  it('falls back to the IP hash when the visit id does not qualify', async () => {
    const ip = '10.0.0.7';
    const bobs = await visit(bob, ip);
    const adas = await visit(ada, ip);
    const q = await insertQuestion(t.ctx.db, ada.profile.id);
    const r = await attribute({
      expertProfileId: ada.profile.id,
      visitId: bobs.visit_id,
      ipHash: hashIp(t.ctx.config.ipHashSecret, ip),
      questionId: q,
    });
    expect(r).toMatchObject({ visitId: adas.visit_id, matchedBy: 'ip_hash' });
  });

  it('is undone with the transaction that creates the question', async () => {
    const v = await visit(ada, '10.0.0.8');
    const q = await insertQuestion(t.ctx.db, ada.profile.id);
    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        await attributeQuestionToVisit(trx, { expertProfileId: ada.profile.id, visitId: v.visit_id, questionId: q, now: t.ctx.now() });
        throw new Error('question creation failed later');
      }),
    ).rejects.toThrow('question creation failed later');
    expect((await visitRow(v.visit_id)).converted_to_question).toBe(false);
  });

  // Row locks only exist on a real server: PGlite runs every transaction one after another.
  it.runIf(isPostgres())('two questions created at once from one address take different visits', async () => {
    const ip = '10.0.0.9';
    const hash = hashIp(t.ctx.config.ipHashSecret, ip);
    const [a, b] = [await visit(ada, ip), await visit(ada, ip)];
    const [q1, q2, q3] = [
      await insertQuestion(t.ctx.db, ada.profile.id),
      await insertQuestion(t.ctx.db, ada.profile.id),
      await insertQuestion(t.ctx.db, ada.profile.id),
    ];
    const results = await Promise.all(
      [q1, q2, q3].map((questionId) => attribute({ expertProfileId: ada.profile.id, ipHash: hash, questionId })),
    );
    const linked = results.filter((r) => r !== null).map((r) => r?.visitId);
    expect(linked.sort()).toEqual([a.visit_id, b.visit_id].sort());
  });
});

describe('a campaign link visited, then a question paid through it (end to end over HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('shows one visit, one conversion and the question price as revenue; a refund takes the revenue back out', async () => {
    const expert = await createExpert(t.ctx.db);
    const auth = bearer(await tokenFor(t.ctx, expert.user));
    const created = await t.app.inject({
      method: 'POST',
      url: '/marketing/campaigns',
      headers: auth,
      payload: { name: 'Launch', utm_source: 'linkedin', utm_campaign: 'launch' },
    });
    expect(created.statusCode).toBe(201);

    // The asker opens the campaign link, then pays a Quick Consult from the same browser.
    const ip = '127.0.0.1';
    const tracked = await t.app.inject({
      method: 'POST',
      url: '/api:BQW1GS7L/marketing/public/track-visit',
      remoteAddress: ip,
      headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)' },
      payload: {
        expert_handle: expert.profile.handle,
        utm_source: 'linkedin',
        utm_campaign: 'launch',
        utm_medium: null,
        utm_content: null,
      },
    });
    expect(tracked.json()).toMatchObject({ tracked: true, campaign_id: created.json().id });
    t.clock.advance(12 * MIN);
    const asked = await askQuickConsult(t, expert);
    // Question creation attributed it by the same IP hash, inside its own transaction.
    const visit = await t.ctx.db
      .selectFrom('campaign_visit')
      .selectAll()
      .where('id', '=', tracked.json().visit_id)
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({
      converted_to_question: true,
      question_id: asked.questionId,
      visitor_ip_hash: hashIp(t.ctx.config.ipHashSecret, ip),
    });

    const price = expert.profile.tier1_price_cents;
    const campaigns = (await t.app.inject({ method: 'GET', url: '/api:3B14WLbJ/marketing/campaigns', headers: auth })).json();
    expect(campaigns).toEqual([
      expect.objectContaining({
        id: created.json().id,
        total_visits: 1,
        total_questions: 1,
        total_revenue: price / 100,
        total_revenue_cents: price,
        conversion_rate: 100,
      }),
    ]);
    const sources = (await t.app.inject({ method: 'GET', url: '/marketing/traffic-sources', headers: auth })).json();
    expect(sources).toEqual([
      { name: 'linkedin', visits: 1, questions: 1, revenue: price / 100, revenue_cents: price, conversion_rate: 100 },
    ]);
    const insights = (await t.app.inject({ method: 'GET', url: '/marketing/insights', headers: auth })).json();
    expect(insights.your_metrics).toEqual({ visit_to_question: 100, total_visits: 1, total_questions: 1 });
    expect(insights.insights[0].severity).toBe('success');

    const refund = await t.app.inject({
      method: 'POST',
      url: '/api/questions/refund',
      headers: auth,
      payload: { question_id: asked.questionId },
    });
    expect(refund.statusCode).toBe(200);
    const after = (await t.app.inject({ method: 'GET', url: '/marketing/campaigns', headers: auth })).json();
    expect(after[0]).toMatchObject({ total_visits: 1, total_questions: 1, total_revenue: 0, total_revenue_cents: 0 });
  });
});
