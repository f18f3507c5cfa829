import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB>;

export function findQuestionByTokenCandidates(db: Q, candidates: string[]) {
  return db
    .selectFrom('question')
    .selectAll()
    .where('playback_token_hash', '=', (eb) => eb.fn.any(eb.val(candidates)))
    .executeTakeFirst();
}

export function findTombstone(db: Q, tokenHash: string) {
  return db.selectFrom('review_token_tombstone').select(['reason', 'removed_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Sets the asker's rating once: returns nothing when the answer was already rated. */
export function rateAnswer(db: Q, answerId: number, r: { rating: number; text: string | null; allowTestimonial: boolean; now: Date }) {
  return db
    .updateTable('answer')
    .set({ rating: r.rating, feedback_text: r.text, allow_testimonial: r.allowTestimonial, feedback_at: r.now })
    .where('id', '=', answerId)
    .where('rating', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * For whoever deletes questions (account erasure): call in the same transaction, before the
 * delete, so that the askers' review links answer 410 "removed" instead of 404 "unknown".
 */
export async function tombstoneReviewTokens(trx: Q, questionIds: number[], reason: 'expert_deleted' | 'question_deleted', now: Date) {
  if (questionIds.length === 0) return;
  await sql`
    INSERT INTO review_token_tombstone (token_hash, reason, removed_at)
    SELECT CASE WHEN playback_token_hash ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN encode(sha256(convert_to(playback_token_hash, 'UTF8')), 'hex')
                ELSE playback_token_hash END,
           ${reason}, ${now}
    FROM question
    WHERE id = ANY(${questionIds}) AND playback_token_hash IS NOT NULL
    ON CONFLICT (token_hash) DO NOTHING`.execute(trx);
}
