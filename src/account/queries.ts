/**
 * The SQL of account erasure. Every statement is set-based (`= ANY($ids)`), so the erasure of an
 * expert with thousands of questions is a fixed number of statements, whatever the account's size.
 */
import { type Kysely, sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import { toJson } from '../db/json.ts';
import type { DB, ErasureAuditTable } from '../db/schema.ts';

type Q = Kysely<DB>;

export function findUser(db: Q, id: number) {
  return db.selectFrom('user').select(['id', 'email', 'token_version', 'last_login_at']).where('id', '=', id).executeTakeFirst();
}

export function lockUser(trx: Q, id: number) {
  return trx
    .selectFrom('user')
    .select(['id', 'email', 'name', 'fname', 'lname', 'token_version', 'last_login_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function lockProfileOfUser(trx: Q, userId: number) {
  return trx.selectFrom('expert_profile').select(['id', 'avatar_url']).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

const QUESTION_FIELDS = [
  'id',
  'payer_email',
  'payer_first_name',
  'payer_last_name',
  'title',
  'status',
  'answered_at',
  'media_asset_id',
  'attachments',
  'playback_token_hash',
] as const;

export function lockQuestionsOfProfile(trx: Q, profileId: number) {
  return trx.selectFrom('question').select(QUESTION_FIELDS).where('expert_profile_id', '=', profileId).orderBy('id').forUpdate().execute();
}

export function lockQuestionsOfPayer(trx: Q, email: string) {
  return trx
    .selectFrom('question')
    .select(QUESTION_FIELDS)
    .where(sql<string>`lower(payer_email)`, '=', email)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Answers written by the user or given to the questions (legacy rows may differ). */
export function listAnswers(trx: Q, userId: number | null, questionIds: number[]) {
  return trx
    .selectFrom('answer')
    .select(['id', 'question_id', 'media_asset_id', 'attachments'])
    .where((eb) =>
      eb.or([eb('question_id', '=', eb.fn.any(eb.val(questionIds))), ...(userId === null ? [] : [eb('user_id', '=', userId)])]),
    )
    .forUpdate()
    .execute();
}

export function lockPaymentsOfQuestions(trx: Q, questionIds: number[]) {
  return trx
    .selectFrom('payment')
    .select(['id', 'question_id', 'status', 'pending_action', 'stripe_payment_intent_id'])
    .where('question_id', '=', (eb) => eb.fn.any(eb.val(questionIds)))
    .orderBy('id')
    .forUpdate()
    .execute();
}

export function listMediaObjects(trx: Q, mediaIds: number[]) {
  return trx
    .selectFrom('media_asset_object')
    .select(['media_asset_id', 'target', 'object_key'])
    .where('media_asset_id', '=', (eb) => eb.fn.any(eb.val(mediaIds)))
    .execute();
}

/** Media rows that a question or answer outside the erased ones still uses: never deleted. */
export async function findSharedMedia(trx: Q, mediaIds: number[], questionIds: number[], answerIds: number[]): Promise<Set<number>> {
  if (!mediaIds.length) return new Set();
  const r = await sql<{ id: number }>`
    SELECT m.id FROM unnest(${mediaIds}::bigint[]) AS m(id)
    WHERE EXISTS (SELECT 1 FROM question q WHERE q.media_asset_id = m.id AND NOT (q.id = ANY(${questionIds}::bigint[])))
       OR EXISTS (SELECT 1 FROM answer a WHERE a.media_asset_id = m.id AND NOT (a.id = ANY(${answerIds}::bigint[])))`.execute(trx);
  return new Set(r.rows.map((x) => Number(x.id)));
}

export function listUploadSessions(trx: Q, by: { userId: number | null; mediaIds: number[]; keys: string[] }) {
  return trx
    .selectFrom('upload_session')
    .select(['id', 'target', 'object_key', 'media_asset_id'])
    .where((eb) =>
      eb.or([
        eb('media_asset_id', '=', eb.fn.any(eb.val(by.mediaIds))),
        eb('object_key', '=', eb.fn.any(eb.val(by.keys))),
        ...(by.userId === null ? [] : [eb('user_id', '=', by.userId)]),
      ]),
    )
    .execute();
}

export function listExportsOfUser(trx: Q, userId: number) {
  return trx.selectFrom('account_export').select(['id', 'object_key']).where('user_id', '=', userId).execute();
}

/** Feedback sent by the account or with the address, and its attachment URLs. */
export async function listFeedback(trx: Q, userId: number | null, email: string) {
  const rows = await trx
    .selectFrom('feedback')
    .leftJoin('feedback_attachment', 'feedback_attachment.feedback_id', 'feedback.id')
    .select(['feedback.id', 'feedback_attachment.url'])
    .where((eb) =>
      eb.or([eb(sql<string>`lower(feedback.email)`, '=', email), ...(userId === null ? [] : [eb('feedback.user_id', '=', userId)])]),
    )
    .execute();
  return { ids: [...new Set(rows.map((r) => r.id))], urls: rows.flatMap((r) => (r.url ? [r.url] : [])) };
}

export function insertAudit(
  trx: Q,
  a: { deletionId: string; kind: ErasureAuditTable['subject_kind']; pseudonym: string; keyHash: string; now: Date },
) {
  return trx
    .insertInto('erasure_audit')
    .values({
      deletion_id: a.deletionId,
      subject_kind: a.kind,
      subject_pseudonym: a.pseudonym,
      idempotency_key: a.keyHash,
      requested_at: a.now,
    })
    .returning(['id', 'deletion_id'])
    .executeTakeFirstOrThrow();
}

export function finishAudit(trx: Q, id: number, counts: Record<string, number>, now: Date) {
  return trx
    .updateTable('erasure_audit')
    .set({ counts: toJson(counts), completed_at: now })
    .where('id', '=', id)
    .execute();
}

/** The receipt of an earlier erasure of the same subject with the same idempotency key. */
export function findAuditByKey(db: Q, keyHash: string, pseudonym: string) {
  return db
    .selectFrom('erasure_audit')
    .select(['deletion_id', 'counts', 'completed_at'])
    .where('idempotency_key', '=', keyHash)
    .where('subject_pseudonym', '=', pseudonym)
    .executeTakeFirst();
}

/** The account's exports (account's own table): returns how many went. */
export function deleteExports(trx: Q, ids: number[]) {
  return deleteByIds(trx, 'account_export', ids);
}

/** The account's privacy codes (account's own table): returns how many went. */
export function deleteCodesOfUser(trx: Q, userId: number) {
  return deleteByIds(trx, 'privacy_code', [userId], 'user_id');
}
