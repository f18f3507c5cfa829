import { type Kysely, sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB>;

/** A question submitted this long after its coaching session (same expert, same address) is linked to it. */
const LINK_WINDOW_MS = 24 * 3600_000;

export function findExpertForCoach(db: Q, id: number) {
  return db
    .selectFrom('expert_profile')
    .innerJoin('user', 'user.id', 'expert_profile.user_id')
    .select(['expert_profile.id', 'user.name', 'expert_profile.professional_title'])
    .where('expert_profile.id', '=', id)
    .executeTakeFirst();
}

/**
 * Counts one request for a key today, unless the key already reached `max`: true = counted.
 * One statement, so concurrent requests cannot both take the last unit.
 */
export async function consumeDailyUnit(trx: Q, scope: 'fingerprint' | 'ip', keyHash: string, day: string, max: number, now: Date) {
  const r = await sql<{ requests: number }>`
    INSERT INTO coaching_rate_limits AS l (scope, key_hash, day, requests, updated_at)
    VALUES (${scope}, ${keyHash}, ${day}::date, 1, ${now})
    ON CONFLICT (scope, key_hash, day) DO UPDATE SET requests = l.requests + 1, updated_at = excluded.updated_at
    WHERE l.requests < ${max}
    RETURNING l.requests`.execute(trx);
  return r.rows.length > 0;
}

export interface NewSession {
  session_key: string;
  fingerprint_hash: string;
  ip_hash: string;
  expert_profile_id: number | null;
  title: string;
  provider: 'rules' | 'openai';
  validation: unknown;
}

export async function insertSession(trx: Q, s: NewSession, now: Date) {
  await trx
    .insertInto('question_coaching_sessions')
    .values({ ...s, validation: JSON.stringify(s.validation), created_at: now, updated_at: now })
    .execute();
}

export function findSessionByKey(db: Q, key: string) {
  return db
    .selectFrom('question_coaching_sessions')
    .select(['id', 'fingerprint_hash', 'expert_profile_id', 'question_id', 'title', 'analysis'])
    .where('session_key', '=', key)
    .executeTakeFirst();
}

export async function saveAnalysis(
  db: Q,
  id: number,
  v: { title: string; text: string | null; provider: 'rules' | 'openai'; analysis: unknown },
  now: Date,
) {
  await db
    .updateTable('question_coaching_sessions')
    .set({
      title: v.title,
      question_text: v.text,
      provider: v.provider,
      analysis: JSON.stringify(v.analysis),
      tier_reached: sql<number>`greatest(tier_reached, 2)`,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function saveResponses(db: Q, id: number, responses: Record<string, string>, now: Date) {
  await db
    .updateTable('question_coaching_sessions')
    .set({ responses: JSON.stringify(responses), updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Links a new question to the newest open coaching session of the same expert from the same
 * address (the legacy client sends no session id with the question). Call it in the transaction
 * that creates the question. SKIP LOCKED: two questions created at once take different sessions.
 */
export async function linkSessionToQuestion(
  trx: Q,
  input: { expertProfileId: number; ipHash: string | null; questionId: number; now: Date },
): Promise<number | null> {
  if (!input.ipHash) return null;
  const since = new Date(input.now.getTime() - LINK_WINDOW_MS);
  const r = await sql<{ id: number }>`
    UPDATE question_coaching_sessions SET question_id = ${input.questionId}, linked_at = ${input.now}, updated_at = ${input.now}
    WHERE question_id IS NULL AND id = (
      SELECT id FROM question_coaching_sessions
      WHERE question_id IS NULL AND expert_profile_id = ${input.expertProfileId} AND ip_hash = ${input.ipHash}
        AND updated_at >= ${since} AND updated_at <= ${input.now}
      ORDER BY updated_at DESC, id DESC LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id`.execute(trx);
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

/** The coaching sessions of an erased asker's questions hold their words: returns how many went. */
export function deleteCoachingSessionsOfQuestions(trx: Q, questionIds: number[]) {
  return deleteByIds(trx, 'question_coaching_sessions', questionIds, 'question_id');
}
