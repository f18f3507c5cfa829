import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * The digest's questions: pending = paid, unanswered, not an offer awaiting a decision or declined,
 * not hidden (the dashboard's Pending tab) — the legacy endpoint had no such filter — for experts
 * with the digest on.
 */
export function selectDigestQuestions(db: Db, limit: number) {
  return db
    .selectFrom('question as q')
    .innerJoin('expert_profile as ep', 'ep.id', 'q.expert_profile_id')
    .innerJoin('user as u', 'u.id', 'ep.user_id')
    .select([
      'q.id',
      'q.expert_profile_id',
      'q.title',
      'q.payer_first_name',
      'q.price_cents',
      'q.final_price_cents',
      'q.currency',
      'q.created_at',
      'q.sla_hours_snapshot',
      'q.sla_deadline',
      'u.email',
      'u.name',
    ])
    .where('ep.daily_digest_enabled', '=', true)
    .where('q.status', '=', 'paid')
    .where('q.answered_at', 'is', null)
    .where('q.pricing_status', 'not in', ['offer_pending', 'offer_declined', 'offer_expired'])
    .where('q.hidden', '=', false)
    .orderBy('q.expert_profile_id')
    .orderBy('q.id')
    .limit(limit)
    .execute();
}

const listColumns = [
  'id',
  'expert_profile_id',
  'title',
  'question_tier',
  'status',
  'pricing_status',
  'price_cents',
  'proposed_price_cents',
  'created_at',
  'offer_expires_at',
  'sla_deadline',
] as const;

/** Deep Dive offers still pending (the legacy filter compared the tier with `tier2`, which no row has). */
export function selectPendingOffers(db: Db, limit: number) {
  return db
    .selectFrom('question')
    .select(listColumns)
    .where('question_tier', '=', 'deep_dive')
    .where('pricing_status', '=', 'offer_pending')
    .where('status', '=', 'paid')
    .where('answered_at', 'is', null)
    .orderBy('offer_expires_at')
    .limit(limit)
    .execute();
}

/** Unanswered questions past their SLA deadline (`accepted` was never written: paid only). */
export function selectExpiredSla(db: Db, now: Date, limit: number) {
  return db
    .selectFrom('question')
    .select(listColumns)
    .where('status', '=', 'paid')
    .where('answered_at', 'is', null)
    .where('pricing_status', '!=', 'offer_pending')
    .where('sla_deadline', '<', now)
    .orderBy('sla_deadline')
    .limit(limit)
    .execute();
}

export function findUserContact(db: Db, id: number) {
  return db.selectFrom('user').select(['email', 'name']).where('id', '=', id).executeTakeFirst();
}

/** What a media cleanup reads: rows and references, never tokens, codes or e-mail addresses. */
export async function selectMediaInventory(db: Db) {
  const [media, avatars, questions, answers, tokens] = await Promise.all([
    db
      .selectFrom('media_asset')
      .select(['id', 'provider', 'asset_id', 'url', 'status', 'duration_sec', 'segment_index', 'metadata', 'created_at'])
      .orderBy('id')
      .execute(),
    db
      .selectFrom('expert_profile')
      .select(['id', 'avatar_url'])
      .where('avatar_url', 'is not', null)
      .where('avatar_url', '!=', '')
      .execute(),
    db
      .selectFrom('question')
      .select(['id', 'media_asset_id', 'attachments'])
      .where((eb) => eb.or([eb('media_asset_id', 'is not', null), eb('attachments', 'is not', null)]))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('answer')
      .select(['id', 'question_id', 'media_asset_id', 'attachments'])
      .where((eb) => eb.or([eb('media_asset_id', 'is not', null), eb('attachments', 'is not', null)]))
      .orderBy('id')
      .execute(),
    db.selectFrom('magic_link_token').select(['id', 'expires_at', 'used', 'used_at', 'created_at']).orderBy('id').execute(),
  ]);
  return { media, avatars, questions, answers, tokens };
}

/** Questions paid with a legacy test intent (`pi_test_…`), locked for the cleanup's transaction. */
export async function lockTestQuestions(db: Db) {
  const r = await sql<{ question_id: number; intent_id: string }>`
    SELECT q.id AS question_id, p.stripe_payment_intent_id AS intent_id
    FROM payment p JOIN question q ON q.id = p.question_id
    WHERE p.stripe_payment_intent_id LIKE 'pi\\_test\\_%' ESCAPE '\\'
    ORDER BY q.id
    FOR UPDATE OF q, p`.execute(db);
  return r.rows.map((x) => ({ questionId: Number(x.question_id), intentId: x.intent_id }));
}

/** Dedupe-key prefixes of the e-mails about one question (`<prefix>:<question id>`). */
const QUESTION_EMAILS = [
  'question-new',
  'question-submitted',
  'question-answered',
  'offer-expired',
  'sla-expired',
  'hold-expired',
  'hold-expiring',
];

export async function deleteQuestionEmails(db: Db, questionIds: number[]): Promise<number> {
  const keys = questionIds.flatMap((id) => QUESTION_EMAILS.map((p) => `${p}:${id}`));
  if (!keys.length) return 0;
  const r = await db.deleteFrom('email_outbox').where('dedupe_key', 'in', keys).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteRows(db: Db, table: string, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await sql`DELETE FROM ${sql.id(table)} WHERE id = ANY(${ids}::bigint[])`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function deleteIntents(db: Db, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await db.deleteFrom('simulated_payment_intent').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
