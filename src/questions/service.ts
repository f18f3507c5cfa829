import type { AuthUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { findProfileIdOfUser } from '../experts/queries.ts';
import type { PatchBodyT } from './patch-body.ts';
import { findQuestionById, findRatingsOfQuestions, type QuestionRow, setQuestionsHidden } from './queries.ts';
import { hashReviewToken } from './review-token.ts';
import { toExpertQuestion } from './shapes.ts';

/** The caller's expert profile id; 404 when the caller has none (then they own no question). */
export async function profileIdOf(db: Db, user: AuthUser): Promise<number> {
  const profile = await findProfileIdOfUser(db, user.id);
  if (!profile) throw notFound('You have no expert profile yet: finish onboarding first.', 'expert_profile_not_found');
  return profile.id;
}

/** A question the caller owns as the expert: 404 unknown, 403 someone else's. */
export async function loadOwnedQuestion(db: Db, user: AuthUser, id: number): Promise<QuestionRow> {
  const profileId = await profileIdOf(db, user);
  const q = await findQuestionById(db, id);
  if (!q) throw notFound(`Question ${id} does not exist.`, 'question_not_found');
  assertOwner(q, profileId);
  return q;
}

export function assertOwner(q: { expert_profile_id: number }, profileId: number): void {
  if (q.expert_profile_id !== profileId) throw forbidden('This question was sent to another expert.', 'not_question_owner');
}

export async function getOwnedQuestion(ctx: AppContext, user: AuthUser, id: number) {
  const q = await loadOwnedQuestion(ctx.db, user, id);
  const [rating] = await findRatingsOfQuestions(ctx.db, [q.id]);
  return toExpertQuestion(q, { rating: rating?.rating ?? null });
}

const sameMs = (given: number | null | undefined, stored: Date | null) =>
  (given ?? null) === null ? stored === null : stored !== null && Math.round(given as number) === stored.getTime();
const sameCents = (given: number | null | undefined, stored: number | null) =>
  (given ?? null) === null ? stored === null : Math.round(given as number) === stored;
const sameToken = (given: string | null | undefined, stored: string | null) =>
  (given ?? null) === null ? stored === null : given === stored || hashReviewToken(given as string) === stored;

/** Fields the payment flow alone may change; PATCH accepts them only with their stored value. */
function changedProtectedFields(q: QuestionRow, b: PatchBodyT): string[] {
  const checks: [string, boolean][] = [
    ['status', b.status === undefined || b.status === q.status],
    ['pricing_status', b.pricing_status === undefined || b.pricing_status === q.pricing_status],
    ['checkout_session_id', b.checkout_session_id === undefined || (b.checkout_session_id ?? null) === q.checkout_session_id],
    ['payment_intent_id', b.payment_intent_id === undefined || (b.payment_intent_id ?? null) === q.payment_intent_id],
    ['stripe_payment_intent_id', b.stripe_payment_intent_id === undefined || (b.stripe_payment_intent_id ?? null) === q.payment_intent_id],
    ['paid_at', b.paid_at === undefined || sameMs(b.paid_at, q.paid_at)],
    ['answered_at', b.answered_at === undefined || sameMs(b.answered_at, q.answered_at)],
    ['refunded_at', b.refunded_at === undefined || sameMs(b.refunded_at, q.refunded_at)],
    ['price_cents', b.price_cents === undefined || sameCents(b.price_cents, q.price_cents)],
    ['final_price_cents', b.final_price_cents === undefined || sameCents(b.final_price_cents, q.final_price_cents)],
    ['proposed_price_cents', b.proposed_price_cents === undefined || sameCents(b.proposed_price_cents, q.proposed_price_cents)],
    ['currency', b.currency === undefined || b.currency.toUpperCase() === q.currency.toUpperCase()],
    ['playback_token_hash', b.playback_token_hash === undefined || sameToken(b.playback_token_hash, q.playback_token_hash)],
    ['review_token', b.review_token === undefined || sameToken(b.review_token, q.playback_token_hash)],
  ];
  return checks.filter(([, same]) => !same).map(([name]) => name);
}

/**
 * Legacy PATCH /question/{id}: the legacy client and tests send the whole row back. A value that
 * would change the status, payment fields, prices or token is refused (409) and nothing changes;
 * those move only through answer, offer and refund. `hidden` is the one writable field.
 */
export async function patchQuestion(ctx: AppContext, user: AuthUser, id: number, body: PatchBodyT) {
  const q = await loadOwnedQuestion(ctx.db, user, id);
  const changed = changedProtectedFields(q, body);
  if (changed.length > 0) {
    throw conflict(
      `These fields change only through the question flow (answer, offer accept/decline, refund): ${changed.join(', ')}. Send their current values or leave them out.`,
      'field_not_writable',
    );
  }
  if (body.hidden !== undefined && body.hidden !== q.hidden) await setQuestionsHidden(ctx.db, q.expert_profile_id, [q.id], body.hidden);
  return getOwnedQuestion(ctx, user, id);
}

export async function setHidden(ctx: AppContext, user: AuthUser, id: number, hidden: boolean) {
  const q = await loadOwnedQuestion(ctx.db, user, id);
  await setQuestionsHidden(ctx.db, q.expert_profile_id, [q.id], hidden);
  return { success: true, question_id: q.id, hidden };
}
