/**
 * An asker's erasure (they have no account): everything tied to their e-mail, in one transaction.
 * Their questions stay with the experts as earnings history — amounts, dates, states, the expert's
 * own answer — with every word, file and recording of the asker removed and the payer replaced by
 * a pseudonym. Unanswered questions are closed and their holds released (never captured).
 */

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { scrubAnswerFeedback } from '../answers/queries.ts';
import { deleteMagicLinksOf } from '../auth/queries.ts';
import { deleteCoachingSessionsOfQuestions } from '../coach/queries.ts';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { queueEmail } from '../email/outbox.ts';
import { deleteEmailsOf } from '../email/queries.ts';
import { queueFileDeletions } from '../file-deletion/queries.ts';
import { scrubVisits } from '../marketing/queries.ts';
import { decidePaymentAction } from '../payments/actions.ts';
import { pseudonymisePayer } from '../payments/queries.ts';
import { pseudonym } from '../privacy/pseudonym.ts';
import { scrubQuestions } from '../questions/queries.ts';
import { tombstoneReviewTokens } from '../reviews/queries.ts';
import { deleteAskerCodes, hasAccount } from './asker-queries.ts';
import { lockLiveCodes, matchCode } from './codes.ts';
import { askerErasedEmail } from './emails.ts';
import { type ErasedAccount, isLiveHold } from './erase-account.ts';
import { attachmentUrls, deleteFileRows, type OutboxItem, ownKeys, uniqueItems } from './files.ts';
import {
  findSharedMedia,
  finishAudit,
  insertAudit,
  listFeedback,
  listMediaObjects,
  listUploadSessions,
  lockPaymentsOfQuestions,
  lockQuestionsOfPayer,
} from './queries.ts';

/** null = the code is no longer valid (used by a concurrent request, expired): nothing changed. */
export async function eraseAskerTx(
  ctx: AppContext,
  trx: Kysely<DB>,
  input: { email: string; code: string; keyHash: string; now: Date },
): Promise<ErasedAccount | null> {
  const { email, now } = input;
  const secret = ctx.config.privacy.pseudonymSecret;
  const live = await lockLiveCodes(trx, 'asker_erasure', email, now);
  if (matchCode(ctx, live, 'asker_erasure', email, input.code) === null) return null;
  const questions = await lockQuestionsOfPayer(trx, email);
  const qids = questions.map((q) => q.id);
  const payments = await lockPaymentsOfQuestions(trx, qids);
  const mediaIds = [...new Set(questions.flatMap((q) => (q.media_asset_id ? [q.media_asset_id] : [])))];
  const shared = await findSharedMedia(trx, mediaIds, qids, []);
  const ownMedia = mediaIds.filter((id) => !shared.has(id));
  const objects = await listMediaObjects(trx, ownMedia);
  const attachmentKeys = ownKeys(
    ctx,
    questions.flatMap((q) => attachmentUrls(q.attachments)),
  );
  const sessions = await listUploadSessions(trx, { userId: null, mediaIds: ownMedia, keys: attachmentKeys });
  const feedback = await listFeedback(trx, null, email);
  const accountExists = await hasAccount(trx, email);

  const audit = await insertAudit(trx, {
    deletionId: randomUUID(),
    kind: 'asker',
    pseudonym: pseudonym(secret, 'payer', email),
    keyHash: input.keyHash,
    now,
  });
  const confirmationEmailId = await queueEmail(
    ctx.jobs,
    trx,
    {
      template: 'asker-erased',
      to: email,
      dedupeKey: `asker-erased:${audit.deletion_id}`,
      ...askerErasedEmail({ deletionId: audit.deletion_id, questions: questions.length }),
    },
    now,
  );
  const byId = new Map(questions.map((q) => [q.id, q]));
  const release = payments.filter((p) => isLiveHold(p) && !byId.get(p.question_id ?? 0)?.answered_at);
  for (const p of release) await decidePaymentAction(ctx.jobs, trx, p.id, 'cancel', now);
  const counts: Record<string, number> = { payment_hold_released: release.length };
  counts.payment_pseudonymised = await pseudonymisePayer(trx, payments, pseudonym(secret, 'payer', email), now);
  await tombstoneReviewTokens(trx, qids, 'question_deleted', now);
  const items: OutboxItem[] = [
    ...objects.map((o) => ({ target: o.target, key: o.object_key })),
    ...attachmentKeys.map((key) => ({ target: 'storage' as const, key })),
    ...sessions.map((s) => ({ target: s.target, key: s.object_key })),
    ...ownKeys(ctx, feedback.urls).map((key) => ({ target: 'storage' as const, key })),
    ...payments.map((p) => ({ target: 'payment_intent' as const, key: p.stripe_payment_intent_id })),
  ];
  counts.file_deletion_outbox = (await queueFileDeletions(ctx.jobs, trx, uniqueItems(items), now, { erasureId: audit.id })).length;
  counts.question = await scrubQuestions(
    trx,
    qids,
    release.flatMap((p) => (p.question_id ? [p.question_id] : [])),
    now,
  );
  counts.answer = await scrubAnswerFeedback(trx, qids);
  counts.campaign_visit = await scrubVisits(trx, qids);
  // The coaching sessions of the asker's questions hold their words: nothing of them is kept.
  counts.question_coaching_sessions = await deleteCoachingSessionsOfQuestions(trx, qids);
  Object.assign(counts, await deleteFileRows(trx, { sessions, ownMedia, feedbackIds: feedback.ids }));
  // An account with the same address keeps its sign-in links: deleting it is DELETE /me/delete-account.
  counts.magic_link_token = accountExists ? 0 : await deleteMagicLinksOf(trx, email, null);
  counts.email_outbox = await deleteEmailsOf(
    trx,
    email,
    qids.flatMap((id) => [
      `question-new:${id}`,
      `question-submitted:${id}`,
      `question-answered:${id}`,
      `expert-account-closed:${id}`,
      `hold-expired:${id}`,
      `hold-expiring:${id}`,
    ]),
    confirmationEmailId ? [confirmationEmailId] : [],
  );
  counts.privacy_code = await deleteAskerCodes(trx, email);
  await finishAudit(trx, audit.id, counts, now);
  return { deletion_id: audit.deletion_id, counts, releasePaymentIds: release.map((p) => p.id), confirmationEmailId };
}
