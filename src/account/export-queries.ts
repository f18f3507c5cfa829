/** Reads of the data export: what the account owns, as its owner may already see it in the API. */
import type { Db } from '../db/index.ts';

export async function recentExports(db: Db, userId: number, since: Date) {
  const r = await db
    .selectFrom('account_export')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(r.n), oldest: r.oldest ? new Date(r.oldest as Date) : null };
}

export function insertExport(
  db: Db,
  e: { userId: number; tokenHash: string; key: string; size: number; fileCount: number; now: Date; expiresAt: Date },
) {
  return db
    .insertInto('account_export')
    .values({
      user_id: e.userId,
      token_hash: e.tokenHash,
      object_key: e.key,
      size_bytes: e.size,
      file_count: e.fileCount,
      created_at: e.now,
      expires_at: e.expiresAt,
    })
    .returning(['id', 'file_count'])
    .executeTakeFirstOrThrow();
}

export async function exportData(db: Db, userId: number) {
  const user = await db
    .selectFrom('user')
    .select(['id', 'email', 'name', 'fname', 'lname', 'address', 'city', 'zip', 'country', 'auth_provider', 'created_at', 'last_login_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  const profile = await db.selectFrom('expert_profile').selectAll().where('user_id', '=', userId).executeTakeFirst();
  const pid = profile?.id ?? 0;
  const questions = await db.selectFrom('question').selectAll().where('expert_profile_id', '=', pid).orderBy('id').execute();
  const qids = questions.map((q) => q.id);
  const answers = await db
    .selectFrom('answer')
    .selectAll()
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('question_id', '=', eb.fn.any(eb.val(qids)))]))
    .orderBy('id')
    .execute();
  const payments = await db
    .selectFrom('payment')
    .select([
      'id',
      'question_id',
      'amount_cents',
      'currency',
      'status',
      'question_type',
      'authorized_at',
      'captured_at',
      'refunded_at',
      'created_at',
    ])
    .where('question_id', '=', (eb) => eb.fn.any(eb.val(qids)))
    .orderBy('id')
    .execute();
  const campaigns = await db.selectFrom('utm_campaign').selectAll().where('expert_profile_id', '=', pid).orderBy('id').execute();
  // Visitors are other people: their IP hashes and browsers are not the account's data.
  const visits = await db
    .selectFrom('campaign_visit')
    .select(['id', 'campaign_id', 'country', 'device_type', 'converted_to_question', 'question_id', 'visited_at'])
    .where('expert_profile_id', '=', pid)
    .orderBy('id')
    .execute();
  const feedback = await db
    .selectFrom('feedback')
    .select(['id', 'type', 'message', 'rating', 'email', 'page_url', 'status', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  const answerMedia = answers.flatMap((a) => (a.media_asset_id ? [a.media_asset_id] : []));
  const media = await db
    .selectFrom('media_asset')
    .selectAll()
    .where('id', '=', (eb) => eb.fn.any(eb.val(answerMedia)))
    .execute();
  const answerObjects = await db
    .selectFrom('media_asset_object')
    .select(['target', 'object_key'])
    .where('media_asset_id', '=', (eb) => eb.fn.any(eb.val(answerMedia)))
    .execute();
  const uploads = await db
    .selectFrom('upload_session')
    .select(['kind', 'target', 'object_key', 'content_type', 'size_bytes', 'original_name', 'status', 'created_at'])
    .where('user_id', '=', userId)
    .where('status', 'in', ['uploaded', 'registered'])
    .orderBy('id')
    .execute();
  // The review token's hash is the asker's key, not the expert's data.
  const withoutTokens = questions.map(({ playback_token_hash: _askerKey, ...q }) => q);
  return { user, profile, questions: withoutTokens, answers, payments, campaigns, visits, feedback, media, uploads, answerObjects };
}
