/**
 * The asker's review page (`/r/:token`): what they need to follow their question, and nothing
 * private — no payment ids, no e-mail addresses, no private expert columns.
 */

import { findAnswerOfQuestion, findMediaAsset } from '../answers/queries.ts';
import { toMediaAsset } from '../answers/shapes.ts';
import type { AppContext } from '../context.ts';
import { conflict, gone, notFound } from '../errors.ts';
import { findExpertCard } from '../experts/queries.ts';
import { hashReviewToken, storedTokenCandidates } from '../questions/review-token.ts';
import { ms, parseAttachments } from '../questions/shapes.ts';
import { findQuestionByTokenCandidates, findTombstone, rateAnswer } from './queries.ts';

async function questionOfToken(ctx: AppContext, token: string) {
  const q = await findQuestionByTokenCandidates(ctx.db, storedTokenCandidates(token));
  if (q) return q;
  if (await findTombstone(ctx.db, hashReviewToken(token))) {
    throw gone('This question and its answer were removed by the expert.', 'review_removed');
  }
  throw notFound('This review link is invalid or has expired. Check the link in your e-mail.', 'review_not_found');
}

/** The review page reads attachments as a JSON string (it calls .trim() on it). */
const attachmentsString = (v: unknown) => {
  const list = parseAttachments(v);
  return list.length ? JSON.stringify(list) : null;
};

export async function getReview(ctx: AppContext, token: string) {
  const q = await questionOfToken(ctx, token);
  const [expert, answer, media] = await Promise.all([
    findExpertCard(ctx.db, q.expert_profile_id),
    findAnswerOfQuestion(ctx.db, q.id),
    q.media_asset_id ? findMediaAsset(ctx.db, q.media_asset_id) : Promise.resolve(undefined),
  ]);
  const answerMedia = answer?.media_asset_id ? await findMediaAsset(ctx.db, answer.media_asset_id) : undefined;
  return {
    id: q.id,
    title: q.title,
    text: q.text,
    created_at: q.created_at.getTime(),
    question_tier: q.question_tier,
    price_cents: q.price_cents,
    final_price_cents: q.final_price_cents,
    proposed_price_cents: q.proposed_price_cents,
    currency: q.currency,
    status: q.status,
    pricing_status: q.pricing_status,
    decline_reason: q.decline_reason,
    asker_message: q.asker_message,
    offer_expires_at: ms(q.offer_expires_at),
    sla_hours_snapshot: q.sla_hours_snapshot,
    sla_deadline: ms(q.sla_deadline),
    answered_at: ms(q.answered_at),
    attachments: attachmentsString(q.attachments),
    media_asset: media ? [toMediaAsset(media)] : [],
    media_asset_answer: answerMedia ? [toMediaAsset(answerMedia)] : null,
    answer: answer
      ? {
          id: answer.id,
          created_at: answer.created_at.getTime(),
          sent_at: ms(answer.sent_at),
          text_response: answer.text_response,
          media_asset_id: answer.media_asset_id,
          attachments: attachmentsString(answer.attachments),
          rating: answer.rating,
          feedback_text: answer.feedback_text,
          feedback_at: ms(answer.feedback_at),
          allow_testimonial: answer.allow_testimonial,
        }
      : null,
    expert_profile: {
      handle: expert?.handle ?? null,
      avatar_url: expert?.avatar_url ?? null,
      professional_title: expert?.professional_title ?? null,
    },
    user: expert?.name || expert?.handle || '',
  };
}

export async function submitFeedback(
  ctx: AppContext,
  token: string,
  input: { rating: number; text: string | null; allowTestimonial: boolean },
) {
  const q = await questionOfToken(ctx, token);
  const answer = await findAnswerOfQuestion(ctx.db, q.id);
  if (!answer) throw conflict('This question has no answer yet: rate it once the answer arrives.', 'not_answered');
  const rated = await rateAnswer(ctx.db, answer.id, { ...input, now: ctx.now() });
  if (!rated) throw conflict('This answer was already rated; a rating is given once.', 'already_rated');
  return {
    success: true,
    rating: rated.rating as number,
    feedback_text: rated.feedback_text,
    feedback_at: ms(rated.feedback_at) as number,
  };
}
