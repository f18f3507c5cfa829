/**
 * Question creation (both tiers): the payment hold is verified with the provider, the question
 * and its payment row are written in one transaction (the unique index on the intent id makes a
 * reused or raced intent create exactly one question), e-mails 3 and 4 are queued with them.
 */
import { linkSessionToQuestion } from '../coach/queries.ts';
import type { AppContext } from '../context.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { queueEmail } from '../email/outbox.ts';
import { conflict } from '../errors.ts';
import type { ExpertForQuestion } from '../experts/queries.ts';
import { resolveExpert } from '../experts/service.ts';
import { DEEP_DIVE_OFFER_WINDOW_HOURS, hoursToAnswer } from '../experts/sla-limit.ts';
import { type Tier, tierTerms } from '../experts/tiers.ts';
import { attributeQuestionToVisit } from '../marketing/attribution.ts';
import { claimRecording } from '../media/claim.ts';
import { decidePaymentAction, runPaymentAction } from '../payments/actions.ts';
import { insertPayment, paymentIntentIsUsed } from '../payments/queries.ts';
import { verifyHold } from '../payments/verify.ts';
import { newQuestionEmail, questionSubmittedEmail } from './emails.ts';
import { insertQuestion, type QuestionRow, updateQuestion } from './queries.ts';
import { hashReviewToken, reviewTokenFor } from './review-token.ts';
import type { AttachmentT } from './shapes.ts';

export interface NewQuestionInput {
  tier: Tier;
  expertHandle: string | null;
  expertProfileId: number | null;
  title: string;
  text: string | null;
  payerEmail: string;
  payerFirstName: string | null;
  payerLastName: string | null;
  mediaAssetId: number | null;
  attachments: AttachmentT[];
  intentId: string;
  proposedPriceCents: number | null;
  askerMessage: string | null;
  /** Campaign attribution: the visit id from the ask page, else the visitor's IP hash. */
  visitId: number | null;
  ipHash: string | null;
}

const intentReused = () =>
  conflict('This payment was already used for another question. Start a new payment to ask again.', 'payment_intent_already_used');

export async function createQuestion(ctx: AppContext, input: NewQuestionInput): Promise<{ question: QuestionRow; reviewToken: string }> {
  const expert = await resolveExpert(ctx, input.expertHandle, input.expertProfileId);
  const terms = tierTerms(expert, input.tier, input.proposedPriceCents);
  // Cheap early answer for the common retry; the unique index decides under concurrency.
  if (await paymentIntentIsUsed(ctx.db, input.intentId)) throw intentReused();
  const hold = await verifyHold(ctx, input.intentId, { amount: terms.priceCents, currency: 'usd' });

  const now = ctx.now();
  // A hold that ends before the answer is due (a card with a short hold, an old SLA) is taken but flagged.
  const answerBy = now.getTime() + hoursToAnswer(input.tier, terms.slaHours) * 3600_000;
  const holdShort = !terms.autoDeclined && hold.captureBefore !== null && hold.captureBefore.getTime() < answerBy;
  if (holdShort) {
    ctx.log.warn(
      { intentId: input.intentId, captureBefore: hold.captureBefore, answerBy: new Date(answerBy) },
      'card hold ends before the answer deadline',
    );
  }
  const { question, token, paymentId } = await ctx.db
    .transaction()
    .execute(async (trx) => {
      if (input.mediaAssetId !== null) await claimRecording(trx, input.mediaAssetId, null);
      const created = await insertQuestion(trx, {
        expert_profile_id: expert.id,
        payer_email: input.payerEmail,
        payer_first_name: input.payerFirstName,
        payer_last_name: input.payerLastName,
        title: input.title,
        text: input.text,
        attachments: JSON.stringify(input.attachments),
        media_asset_id: input.mediaAssetId,
        price_cents: terms.priceCents,
        final_price_cents: terms.priceCents,
        proposed_price_cents: input.tier === 'deep_dive' ? terms.priceCents : 0,
        currency: 'USD',
        question_tier: input.tier,
        status: terms.autoDeclined ? 'declined' : 'paid',
        pricing_status: input.tier === 'quick_consult' ? 'paid' : terms.autoDeclined ? 'offer_declined' : 'offer_pending',
        asker_message: input.tier === 'deep_dive' ? input.askerMessage : null,
        sla_hours_snapshot: terms.slaHours,
        sla_start_time: input.tier === 'quick_consult' ? now : null,
        sla_deadline: input.tier === 'quick_consult' ? new Date(now.getTime() + terms.slaHours * 3600_000) : null,
        offer_expires_at: input.tier === 'deep_dive' ? new Date(now.getTime() + DEEP_DIVE_OFFER_WINDOW_HOURS * 3600_000) : null,
        decline_reason: terms.autoDeclined ? `Offer below minimum threshold of $${((terms.thresholdCents ?? 0) / 100).toFixed(2)}` : null,
        expert_reviewed_at: terms.autoDeclined ? now : null,
        payment_intent_id: input.intentId,
        paid_at: now,
        created_at: now,
      });
      const reviewToken = reviewTokenFor(ctx.config.jwtSecret, created.id, created.created_at);
      const q = await updateQuestion(trx, created.id, { playback_token_hash: hashReviewToken(reviewToken) });
      let payment: { id: number };
      try {
        payment = await insertPayment(trx, {
          questionId: q.id,
          intentId: input.intentId,
          amount: terms.priceCents,
          currency: 'USD',
          tier: input.tier,
          authorizedAt: now,
          captureBefore: hold.captureBefore,
          holdShort,
          now,
        });
      } catch (err) {
        if (isUniqueViolation(err, 'stripe_payment_intent_id')) throw intentReused();
        throw err;
      }
      // Fixes the legacy defect: an auto-declined offer's hold is released, not left to expire.
      if (terms.autoDeclined) await decidePaymentAction(ctx.jobs, trx, payment.id, 'cancel', now);
      await attributeQuestionToVisit(trx, {
        expertProfileId: expert.id,
        visitId: input.visitId,
        ipHash: input.ipHash,
        questionId: q.id,
        now,
      });
      await linkSessionToQuestion(trx, { expertProfileId: expert.id, ipHash: input.ipHash, questionId: q.id, now });
      await queueCreationEmails(ctx, trx, q, expert, reviewToken, terms.autoDeclined);
      return { question: q, token: reviewToken, paymentId: payment.id };
    })
    .catch((err) => {
      if (isUniqueViolation(err, 'stripe_payment_intent_id')) throw intentReused();
      throw err;
    });

  if (terms.autoDeclined) await runPaymentAction(ctx, paymentId);
  const code = input.tier === 'quick_consult' ? 'QC' : 'DD';
  await ctx.payments
    .describeIntent(input.intentId, `Question #${question.id} - ${code}`, {
      question_id: String(question.id),
      question_type: input.tier,
      question_title: question.title.slice(0, 450),
    })
    .catch((err) => ctx.log.warn({ err, questionId: question.id }, 'could not describe the payment intent'));
  return { question, reviewToken: token };
}

async function queueCreationEmails(
  ctx: AppContext,
  trx: Parameters<typeof queueEmail>[1],
  q: QuestionRow,
  expert: ExpertForQuestion,
  reviewToken: string,
  autoDeclined: boolean,
) {
  const now = ctx.now();
  const payerName = [q.payer_first_name, q.payer_last_name].filter(Boolean).join(' ') || q.payer_email;
  const expertName = expert.name || expert.handle || 'your expert';
  const toExpert = newQuestionEmail({
    expertName: expert.name,
    title: q.title,
    tier: q.question_tier,
    priceCents: q.price_cents,
    payerName,
    autoDeclined,
    dashboardUrl: `${ctx.config.clientOrigin}/dashboard/inbox#question-${q.id}`,
  });
  await queueEmail(ctx.jobs, trx, { template: 'new-question', to: expert.email, dedupeKey: `question-new:${q.id}`, ...toExpert }, now);
  const toAsker = questionSubmittedEmail({
    expertName,
    title: q.title,
    tier: q.question_tier,
    reviewUrl: `${ctx.config.clientOrigin}/r/${reviewToken}`,
    autoDeclined,
  });
  await queueEmail(
    ctx.jobs,
    trx,
    { template: 'question-submitted', to: q.payer_email, dedupeKey: `question-submitted:${q.id}`, ...toAsker },
    now,
  );
}
