/**
 * Answers: the expert comes from the session, never from the body (the legacy IDOR). Only a
 * payable-and-answerable question can be answered; the answer, the question's new status, the
 * capture decision and e-mail 5 commit together, and the capture runs right after (retried by the
 * payment-actions job if the provider fails).
 */
import type { AuthUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import { badRequest, conflict, HttpError, notFound } from '../errors.ts';
import { findExpertById } from '../experts/queries.ts';
import { claimRecording } from '../media/claim.ts';
import { type ActionOutcome, decidePaymentAction, runPaymentAction } from '../payments/actions.ts';
import { findPaymentByQuestion, lockPaymentByQuestion } from '../payments/queries.ts';
import { answeredEmail } from '../questions/emails.ts';
import { lockQuestion, type QuestionRow, updateQuestion } from '../questions/queries.ts';
import { recoverReviewToken } from '../questions/review-token.ts';
import { assertOwner, loadOwnedQuestion, profileIdOf } from '../questions/service.ts';
import type { AttachmentT } from '../questions/shapes.ts';
import { findAnswerOfQuestion, findMediaAsset, insertAnswer } from './queries.ts';

export interface NewAnswer {
  questionId: number;
  text: string | null;
  mediaAssetId: number | null;
  attachments: (AttachmentT & { uid?: string | null })[];
}

/** Why a question cannot be answered now, or null when it can. */
function whyNotAnswerable(q: QuestionRow, now: Date): HttpError | null {
  if (q.answered_at || q.status === 'closed' || q.status === 'answered')
    return conflict('This question is already answered.', 'already_answered');
  if (q.status === 'refunded') return conflict('This question was refunded: it can no longer be answered.', 'question_refunded');
  if (q.status === 'declined') {
    return conflict(
      `This question was declined or expired (${q.decline_reason ?? q.pricing_status}): it can no longer be answered.`,
      'question_declined',
    );
  }
  if (q.status === 'hold_expired') {
    return conflict(
      'The card hold of this question expired before it was answered: it can no longer be answered or charged.',
      'hold_expired',
    );
  }
  if (q.status !== 'paid') return conflict(`A question with status ${q.status} cannot be answered.`, 'not_answerable');
  if (q.question_tier === 'deep_dive' && q.pricing_status !== 'offer_accepted') {
    return conflict('Accept this Deep Dive offer before answering it.', 'offer_not_accepted');
  }
  if (q.question_tier === 'quick_consult' && q.pricing_status !== 'paid') {
    return conflict(`A question with pricing status ${q.pricing_status} cannot be answered.`, 'not_answerable');
  }
  if (q.sla_deadline && q.sla_deadline.getTime() < now.getTime()) {
    return conflict('The answer deadline of this question has passed; the asker’s hold is being released.', 'sla_expired');
  }
  return null;
}

export async function createAnswer(ctx: AppContext, user: AuthUser, input: NewAnswer) {
  if (!input.text?.trim() && !input.mediaAssetId) {
    throw badRequest('Send a text_response or a media_asset_id (a recording): an answer cannot be empty.', 'answer_empty');
  }
  const profileId = await profileIdOf(ctx.db, user);
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const q = await lockQuestion(trx, input.questionId);
    if (!q) throw notFound(`Question ${input.questionId} does not exist.`, 'question_not_found');
    assertOwner(q, profileId);
    const why = whyNotAnswerable(q, now);
    if (why) throw why;
    const payment = await lockPaymentByQuestion(trx, q.id);
    const held = q.question_tier === 'deep_dive' ? 'accepted' : 'authorized';
    if (!payment || payment.status !== held || payment.pending_action) {
      throw conflict('The payment hold of this question is not available; it cannot be answered and charged.', 'payment_not_held');
    }
    if (input.mediaAssetId !== null) await claimRecording(trx, input.mediaAssetId, { userId: user.id });
    const answer = await insertAnswer(trx, {
      question_id: q.id,
      user_id: user.id,
      text_response: input.text,
      media_asset_id: input.mediaAssetId,
      attachments: JSON.stringify(input.attachments),
      sent_at: now,
      created_at: now,
    });
    const question = await updateQuestion(trx, q.id, { status: 'closed', answered_at: now });
    await decidePaymentAction(ctx.jobs, trx, payment.id, 'capture', now);
    const expert = await findExpertById(trx, profileId);
    const token = recoverReviewToken(ctx.config.jwtSecret, question);
    const mail = answeredEmail({
      expertName: expert?.name || expert?.handle || 'Your expert',
      title: question.title,
      reviewUrl: token ? `${ctx.config.clientOrigin}/r/${token}` : `${ctx.config.clientOrigin} (open the link of your confirmation e-mail)`,
    });
    await queueEmail(
      ctx.jobs,
      trx,
      { template: 'question-answered', to: question.payer_email, dedupeKey: `question-answered:${q.id}`, ...mail },
      now,
    );
    return { answer, question, paymentId: payment.id };
  });
  const capture: ActionOutcome = await runPaymentAction(ctx, result.paymentId);
  return { answer: result.answer, question: result.question, captured: capture === 'done' };
}

export async function getAnswer(ctx: AppContext, user: AuthUser, questionId: number) {
  const q = await loadOwnedQuestion(ctx.db, user, questionId);
  const answer = await findAnswerOfQuestion(ctx.db, q.id);
  const media = answer?.media_asset_id ? await findMediaAsset(ctx.db, answer.media_asset_id) : undefined;
  return { answer: answer ?? null, media: media ?? null };
}

/**
 * POST /payment/capture: captures the hold of an answered question now (the capture after the
 * answer failed, or legacy data). Idempotent: a captured payment answers 200 again.
 */
export async function captureForQuestion(ctx: AppContext, user: AuthUser, questionId: number) {
  const profileId = await profileIdOf(ctx.db, user);
  const now = ctx.now();
  const paymentId = await ctx.db.transaction().execute(async (trx) => {
    const q = await lockQuestion(trx, questionId);
    if (!q) throw notFound(`Question ${questionId} does not exist.`, 'question_not_found');
    assertOwner(q, profileId);
    const payment = await lockPaymentByQuestion(trx, q.id);
    if (!payment) throw notFound('This question has no payment record.', 'payment_not_found');
    if (payment.status === 'captured') return null;
    if (!q.answered_at) throw conflict('A payment is captured only when its question is answered: send the answer.', 'not_answered');
    if (payment.status === 'refunded' || payment.status === 'failed') {
      throw conflict(
        `This payment is ${payment.status}; it cannot be captured (${payment.error_message ?? 'the hold is gone'}).`,
        'payment_not_capturable',
      );
    }
    if (payment.pending_action !== 'capture') await decidePaymentAction(ctx.jobs, trx, payment.id, 'capture', now);
    return payment.id;
  });
  if (paymentId !== null) {
    const outcome = await runPaymentAction(ctx, paymentId);
    if (outcome === 'retry_scheduled') {
      throw new HttpError(
        503,
        'payment_provider_unavailable',
        'The payment provider did not confirm the capture; it will be retried automatically.',
      );
    }
  }
  const payment = await findPaymentByQuestion(ctx.db, questionId);
  if (payment?.status !== 'captured') {
    throw conflict(`The capture failed: ${payment?.error_message ?? 'unknown reason'}.`, 'payment_not_capturable');
  }
  return {
    success: true,
    question_id: questionId,
    payment_status: payment.status,
    captured_at: payment.captured_at?.getTime() ?? null,
    already_captured: paymentId === null,
  };
}
