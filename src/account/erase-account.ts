/**
 * The erasure of one account, inside the caller's transaction: every statement runs on `trx`, so
 * the database changes all together or not at all. Order (the foreign keys enforce it):
 * lock → audit row → e-mails (confirmation first, while the address exists) → payment decisions
 * and pseudonyms → review tombstones → deletion outbox → visits, campaigns → answers → questions →
 * upload sessions → media (RESTRICT: after their parents) → feedback, tokens, e-mails, exports →
 * user (cascades the profile, codes, admin rights) → audit counts.
 */

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { deleteAdminUser } from '../admin/queries.ts';
import { deleteAnswers } from '../answers/queries.ts';
import { deleteMagicLinksOf, deleteUser } from '../auth/queries.ts';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { queueEmail, queueEmails } from '../email/outbox.ts';
import { deleteEmailsOf } from '../email/queries.ts';
import { deleteProfile } from '../experts/queries.ts';
import { queueFileDeletions } from '../file-deletion/queries.ts';
import { deleteCampaignsOfExpert, deleteVisitsOfExpert } from '../marketing/queries.ts';
import { decidePaymentAction } from '../payments/actions.ts';
import { pseudonymisePayments } from '../payments/queries.ts';
import { pseudonym, retainUntil } from '../privacy/pseudonym.ts';
import { deleteQuestions } from '../questions/queries.ts';
import { tombstoneReviewTokens } from '../reviews/queries.ts';
import { accountDeletedEmail, expertGoneEmail } from './emails.ts';
import { attachmentUrls, deleteFileRows, type OutboxItem, ownKeys, uniqueItems } from './files.ts';
import {
  deleteCodesOfUser,
  deleteExports,
  findSharedMedia,
  finishAudit,
  insertAudit,
  listAnswers,
  listExportsOfUser,
  listFeedback,
  listMediaObjects,
  listUploadSessions,
  lockPaymentsOfQuestions,
  lockProfileOfUser,
  lockQuestionsOfProfile,
  lockUser,
} from './queries.ts';

export interface Receipt {
  deletion_id: string;
  counts: Record<string, number>;
}

export interface ErasedAccount extends Receipt {
  /** Payments whose hold release was decided: carried out right after the commit. */
  releasePaymentIds: number[];
  confirmationEmailId: number | null;
}

/** A hold that can still be released: not captured, no capture or release decided yet. */
export const isLiveHold = (p: { status: string; pending_action: string | null }) =>
  (p.status === 'authorized' || p.status === 'accepted') && p.pending_action === null;

export async function eraseAccountTx(
  ctx: AppContext,
  trx: Kysely<DB>,
  input: { userId: number; keyHash: string; now: Date },
): Promise<ErasedAccount | null> {
  const { now } = input;
  const secret = ctx.config.privacy.pseudonymSecret;
  const user = await lockUser(trx, input.userId);
  if (!user) return null;
  const email = user.email.trim().toLowerCase();
  const profile = await lockProfileOfUser(trx, user.id);
  const questions = profile ? await lockQuestionsOfProfile(trx, profile.id) : [];
  const qids = questions.map((q) => q.id);
  const answers = await listAnswers(trx, user.id, qids);
  const aids = answers.map((a) => a.id);
  const payments = await lockPaymentsOfQuestions(trx, qids);

  const mediaIds = [...new Set([...questions, ...answers].flatMap((r) => (r.media_asset_id ? [r.media_asset_id] : [])))];
  const shared = await findSharedMedia(trx, mediaIds, qids, aids);
  const ownMedia = mediaIds.filter((id) => !shared.has(id));
  const objects = await listMediaObjects(trx, mediaIds);
  const sharedKeys = new Set(objects.filter((o) => shared.has(o.media_asset_id)).map((o) => o.object_key));
  const attachmentKeys = ownKeys(
    ctx,
    [...questions, ...answers].flatMap((r) => attachmentUrls(r.attachments)),
  );
  const sessions = await listUploadSessions(trx, { userId: user.id, mediaIds: ownMedia, keys: attachmentKeys });
  const exports = await listExportsOfUser(trx, user.id);
  const feedback = await listFeedback(trx, user.id, email);

  const audit = await insertAudit(trx, {
    deletionId: randomUUID(),
    kind: profile ? 'expert' : 'user',
    pseudonym: pseudonym(secret, 'user', user.id),
    keyHash: input.keyHash,
    now,
  });
  const keep = retainUntil(now, ctx.config.privacy.paymentRetentionDays);
  const byId = new Map(questions.map((q) => [q.id, q]));
  const release = payments.filter((p) => isLiveHold(p) && !byId.get(p.question_id ?? 0)?.answered_at);
  const counts: Record<string, number> = {};
  // E-mail 8 first: the address must still exist when it is queued (same transaction).
  const confirmationEmailId = await queueEmail(
    ctx.jobs,
    trx,
    {
      template: 'account-deleted',
      to: user.email,
      dedupeKey: `account-deleted:${audit.deletion_id}`,
      ...accountDeletedEmail({
        deletionId: audit.deletion_id,
        counts: { payment_pseudonymised: payments.length, payment_hold_released: release.length },
        retainUntil: payments.length ? keep : null,
      }),
    },
    now,
  );
  const releasedQuestions = new Set(release.map((p) => p.question_id));
  counts.askers_notified = await queueEmails(
    ctx.jobs,
    trx,
    questions
      .filter((q) => q.answered_at || releasedQuestions.has(q.id))
      .map((q) => ({
        template: 'expert-account-closed',
        to: q.payer_email,
        dedupeKey: `expert-account-closed:${q.id}`,
        ...expertGoneEmail({ title: q.title, released: releasedQuestions.has(q.id) }),
      })),
    now,
  );
  for (const p of release) await decidePaymentAction(ctx.jobs, trx, p.id, 'cancel', now);
  counts.payment_hold_released = release.length;
  counts.payment_pseudonymised = await pseudonymisePayments(
    trx,
    payments.map((p) => ({ id: p.id, payer: pseudonym(secret, 'payer', byId.get(p.question_id ?? 0)?.payer_email ?? '') })),
    { expertPseudonym: pseudonym(secret, 'user', user.id), retainUntil: keep, now },
  );
  await tombstoneReviewTokens(trx, qids, 'expert_deleted', now);

  const items: OutboxItem[] = [
    ...objects.filter((o) => !shared.has(o.media_asset_id)).map((o) => ({ target: o.target, key: o.object_key })),
    ...attachmentKeys.map((key) => ({ target: 'storage' as const, key })),
    ...ownKeys(ctx, [profile?.avatar_url, ...feedback.urls]).map((key) => ({ target: 'storage' as const, key })),
    ...sessions.map((s) => ({ target: s.target, key: s.object_key })),
    ...exports.map((e) => ({ target: 'storage' as const, key: e.object_key })),
    ...payments.map((p) => ({ target: 'payment_intent' as const, key: p.stripe_payment_intent_id })),
  ].filter((i) => !sharedKeys.has(i.key));
  counts.file_deletion_outbox = (await queueFileDeletions(ctx.jobs, trx, uniqueItems(items), now, { erasureId: audit.id })).length;

  if (profile) {
    counts.campaign_visit = await deleteVisitsOfExpert(trx, profile.id);
    counts.utm_campaign = await deleteCampaignsOfExpert(trx, profile.id);
  }
  counts.answer = await deleteAnswers(trx, aids);
  counts.question = await deleteQuestions(trx, qids);
  Object.assign(counts, await deleteFileRows(trx, { sessions, ownMedia, feedbackIds: feedback.ids }));
  counts.magic_link_token = await deleteMagicLinksOf(trx, email, user.id);
  counts.email_outbox = await deleteEmailsOf(
    trx,
    email,
    [
      `welcome:${user.id}`,
      ...qids.flatMap((id) => [
        `question-new:${id}`,
        `question-submitted:${id}`,
        `question-answered:${id}`,
        `hold-expired:${id}`,
        `hold-expiring:${id}`,
      ]),
    ],
    confirmationEmailId ? [confirmationEmailId] : [],
  );
  counts.account_export = await deleteExports(
    trx,
    exports.map((e) => e.id),
  );
  counts.privacy_code = await deleteCodesOfUser(trx, user.id);
  counts.admin_users = await deleteAdminUser(trx, user.id);
  counts.expert_profile = profile ? await deleteProfile(trx, profile.id) : 0;
  counts.user = await deleteUser(trx, user.id);
  await finishAudit(trx, audit.id, counts, now);
  return { deletion_id: audit.deletion_id, counts, releasePaymentIds: release.map((p) => p.id), confirmationEmailId };
}
