/**
 * Test data for the paid flow: questions asked through the real routes (with a simulated payment
 * hold), and readers of the three states a test asserts — question, payment, provider intent.
 */
import type { TestApp } from './app.ts';
import { bearer, createExpert, tokenFor } from './factories.ts';

type Expert = Awaited<ReturnType<typeof createExpert>>;

export interface ExpertWithToken extends Expert {
  token: string;
  auth: { authorization: string };
}

export async function expertWithToken(t: TestApp, over: Parameters<typeof createExpert>[1] = {}): Promise<ExpertWithToken> {
  const e = await createExpert(t.database.db, over);
  const token = await tokenFor(t.ctx, e.user);
  return { ...e, token, auth: bearer(token) };
}

/** A held intent at the simulated provider, as create-intent makes it. */
export async function holdFor(t: TestApp, amount: number): Promise<string> {
  const intent = await t.ctx.payments.createIntent({ amount, currency: 'usd', description: null, metadata: {} });
  return intent.id;
}

export function questionBody(handle: string, intentId: string, over: Record<string, unknown> = {}) {
  return {
    expertHandle: handle,
    title: 'How do I price my consulting?',
    text: 'Some details about my situation.',
    payerEmail: 'asker@example.test',
    payerFirstName: 'Ann',
    payerLastName: 'Asker',
    media_asset_id: null,
    attachments: [{ name: 'brief.pdf', url: 'https://files.example/brief.pdf', size: 1200, type: 'application/pdf' }],
    sla_hours_snapshot: 24,
    stripe_payment_intent_id: intentId,
    ...over,
  };
}

/** The same question as the Xano function took it (X paths /question/{quick-consult,deep-dive}). */
export function xanoQuestionBody(expertProfileId: number, intentId: string, over: Record<string, unknown> = {}) {
  return {
    expert_profile_id: expertProfileId,
    title: 'How do I price my consulting?',
    text: 'Some details about my situation.',
    payer_email: 'asker@example.test',
    payer_first_name: 'Ann',
    payer_last_name: 'Asker',
    media_asset_id: null,
    attachments: [{ name: 'brief.pdf', url: 'https://files.example/brief.pdf', size: 1200, type: 'application/pdf' }],
    sla_hours_snapshot: 24,
    stripe_payment_intent_id: intentId,
    ...over,
  };
}

export interface Asked {
  questionId: number;
  reviewToken: string;
  intentId: string;
}

export async function askQuickConsult(t: TestApp, e: Expert, over: Record<string, unknown> = {}): Promise<Asked> {
  const intentId = await holdFor(t, e.profile.tier1_price_cents);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/questions/quick-consult',
    payload: questionBody(e.profile.handle as string, intentId, over),
  });
  if (res.statusCode !== 201) throw new Error(`quick consult failed: ${res.statusCode} ${res.body}`);
  return { questionId: res.json().data.questionId, reviewToken: res.json().data.review_token, intentId };
}

export async function askDeepDive(t: TestApp, e: Expert, priceCents: number, over: Record<string, unknown> = {}): Promise<Asked> {
  const intentId = await holdFor(t, priceCents);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/questions/deep-dive',
    payload: { ...questionBody(e.profile.handle as string, intentId, over), proposed_price_cents: priceCents, asker_message: 'Worth it?' },
  });
  if (res.statusCode !== 201) throw new Error(`deep dive failed: ${res.statusCode} ${res.body}`);
  return { questionId: res.json().data.questionId, reviewToken: res.json().data.review_token, intentId };
}

/** Question, payment and provider intent, as one snapshot. */
export async function states(t: TestApp, questionId: number) {
  const db = t.database.db;
  const question = await db.selectFrom('question').selectAll().where('id', '=', questionId).executeTakeFirstOrThrow();
  const payment = await db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
  const intent = await db
    .selectFrom('simulated_payment_intent')
    .selectAll()
    .where('id', '=', payment.stripe_payment_intent_id)
    .executeTakeFirstOrThrow();
  return { question, payment, intent };
}

/** The compact triple every lifecycle row of the spec is written in. */
export async function lifecycle(t: TestApp, questionId: number) {
  const { question, payment, intent } = await states(t, questionId);
  return {
    status: question.status,
    pricing_status: question.pricing_status,
    payment: payment.status,
    pending_action: payment.pending_action,
    intent: intent.status,
  };
}
