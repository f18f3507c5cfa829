/**
 * The legacy internal endpoints (§2.10), for operators and the legacy crons that still call them.
 * Expiry goes through the same functions as our jobs (the hold is released, the asker told); the
 * test-data cleanup deletes through the erasure registry's view of what belongs to a question.
 */
import type { AppContext } from '../context.ts';
import { conflict, HttpError, notFound } from '../errors.ts';
import { notifyAsker } from '../jobs/expire.ts';
import { type ExpiryKind, expireOffer, expireSla } from '../offers/expire.ts';
import { collectSubject } from '../privacy/residue.ts';
import { findQuestionById } from '../questions/queries.ts';
import { ms } from '../questions/shapes.ts';
import {
  deleteIntents,
  deleteQuestionEmails,
  deleteRows,
  findUserContact,
  lockTestQuestions,
  selectDigestQuestions,
  selectExpiredSla,
  selectMediaInventory,
  selectPendingOffers,
} from './queries.ts';

const MAX_ROWS = 5000;

export async function digestPendingQuestions(ctx: AppContext) {
  const now = ctx.now().getTime();
  const rows = await selectDigestQuestions(ctx.db, MAX_ROWS);
  return rows.map((r) => {
    const deadline = r.sla_deadline?.getTime() ?? (r.sla_hours_snapshot ? r.created_at.getTime() + r.sla_hours_snapshot * 3_600_000 : null);
    return {
      question: {
        id: r.id,
        expert_profile_id: r.expert_profile_id,
        title: r.title,
        payer_first_name: r.payer_first_name,
        price_cents: r.final_price_cents ?? r.price_cents,
        currency: r.currency,
        created_at: r.created_at.getTime(),
        sla_hours_snapshot: r.sla_hours_snapshot,
        sla_deadline: ms(r.sla_deadline),
        time_remaining_seconds: deadline === null ? -1 : Math.round((deadline - now) / 1000),
      },
      user_email: r.email,
      user_name: r.name,
    };
  });
}

export async function userContact(ctx: AppContext, id: number) {
  const u = await findUserContact(ctx.db, id);
  if (!u) throw notFound(`User ${id} does not exist.`, 'user_not_found');
  return { email: u.email, name: u.name };
}

type ListRow = Awaited<ReturnType<typeof selectPendingOffers>>[number];
const toListItem = (r: ListRow) => ({
  ...r,
  created_at: r.created_at.getTime(),
  offer_expires_at: ms(r.offer_expires_at),
  sla_deadline: ms(r.sla_deadline),
});

export const pendingOffers = async (ctx: AppContext) => (await selectPendingOffers(ctx.db, MAX_ROWS)).map(toListItem);
export const expiredSlas = async (ctx: AppContext) => (await selectExpiredSla(ctx.db, ctx.now(), MAX_ROWS)).map(toListItem);

/** Expires one question if it is due, exactly as the expire-offers / expire-sla jobs would. */
export async function expireNow(ctx: AppContext, kind: ExpiryKind, id: number) {
  const expire = kind === 'offer' ? expireOffer : expireSla;
  if (!(await expire(ctx, id, notifyAsker(ctx, kind)))) {
    if (!(await findQuestionById(ctx.db, id))) throw notFound(`Question ${id} does not exist.`, 'question_not_found');
    const what = kind === 'offer' ? 'a pending offer past offer_expires_at' : 'an unanswered question past its SLA deadline';
    throw conflict(`Question ${id} is not ${what}: nothing was changed.`, 'not_due');
  }
  const q = await findQuestionById(ctx.db, id);
  return {
    success: true,
    question_id: id,
    status: q?.status ?? 'declined',
    pricing_status: q?.pricing_status ?? '',
    decline_reason: q?.decline_reason ?? null,
  };
}

export async function mediaInventory(ctx: AppContext) {
  const inv = await selectMediaInventory(ctx.db);
  return {
    media_assets: inv.media.map((m) => ({ ...m, created_at: m.created_at.getTime() })),
    avatars: inv.avatars.map((a) => ({ expert_profile_id: a.id, avatar_url: a.avatar_url as string })),
    questions: inv.questions,
    answers: inv.answers,
    magic_link_tokens: inv.tokens.map((t) => ({
      id: t.id,
      expires_at: t.expires_at.getTime(),
      used: t.used,
      used_at: ms(t.used_at),
      created_at: t.created_at.getTime(),
    })),
  };
}

/**
 * Deletes the questions paid with `pi_test_…` intents and everything the erasure registry says
 * belongs to them (answers, recordings and their objects and upload sessions, follow-ups), plus
 * their payments, simulated intents and e-mails — in one transaction. Rows that belong to someone
 * else (a campaign visit) are only unlinked, by their SET NULL keys.
 */
export async function cleanupTestData(ctx: AppContext) {
  if (ctx.payments.kind !== 'simulated') {
    throw new HttpError(403, 'test_cleanup_disabled', 'Test data is cleaned up only with PAYMENTS=simulated.');
  }
  return ctx.db.transaction().execute(async (trx) => {
    const found = await lockTestQuestions(trx);
    const questionIds = found.map((f) => f.questionId);
    const counts: Record<string, number> = {};
    if (questionIds.length) {
      const subject = await collectSubject(trx, [{ table: 'question', ids: questionIds }], []);
      const ids = (table: string, kept = false) => [...((kept ? subject.rows.get(table)?.kept : subject.rows.get(table)?.ids) ?? [])];
      counts.payment = await deleteRows(trx, 'payment', ids('payment', true));
      counts.answer = ids('answer').length;
      counts.question = await deleteRows(trx, 'question', ids('question'));
      // What the questions owned, after them (their keys to it are RESTRICT).
      for (const [table] of subject.rows) {
        if (!['question', 'answer', 'payment'].includes(table)) counts[table] = await deleteRows(trx, table, ids(table));
      }
      counts.email_outbox = await deleteQuestionEmails(trx, questionIds);
    }
    counts.simulated_payment_intent = await deleteIntents(trx, [...new Set(found.map((f) => f.intentId))]);
    return { success: true, deleted_questions: questionIds.length, question_ids: questionIds, counts };
  });
}
