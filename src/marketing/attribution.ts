import type { Db } from '../db/index.ts';

/** A visit id from the ask page is honoured if the visit is at most this old. */
export const VISIT_ID_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Without a visit id, a visit from the same IP hash to the same expert this recently counts. */
export const IP_MATCH_WINDOW_MS = 60 * 60 * 1000;

export interface AttributionInput {
  expertProfileId: number;
  /** The visit id `POST /marketing/public/track-visit` returned, if the ask page passes it on. */
  visitId?: number | null | undefined;
  /** `hashIp(ctx.config.ipHashSecret, req.ip)` of the request creating the question. */
  ipHash?: string | null | undefined;
  questionId: number;
  now: Date;
}

export interface Attribution {
  visitId: number;
  campaignId: number;
  matchedBy: 'visit_id' | 'ip_hash' | 'already_attributed';
}

/**
 * Links a new question to the campaign visit that led to it and marks the visit converted, so the
 * campaign's conversions and revenue count it. Call it inside the transaction that creates the
 * question, with that transaction. Returns null when no visit matches (most questions).
 *
 * Rules: a given visit id must belong to the same expert, be unconverted and at most 7 days old;
 * otherwise the newest unconverted visit from the same IP hash to the same expert within the last
 * hour is taken. A question is linked to at most one visit (unique index) and a visit to at most
 * one question; calling it again for the same question returns the existing link.
 */
export async function attributeQuestionToVisit(trx: Db, input: AttributionInput): Promise<Attribution | null> {
  const { expertProfileId, questionId, now } = input;
  const existing = await trx
    .selectFrom('campaign_visit')
    .select(['id', 'campaign_id'])
    .where('question_id', '=', questionId)
    .executeTakeFirst();
  if (existing) return { visitId: existing.id, campaignId: existing.campaign_id, matchedBy: 'already_attributed' };

  if (input.visitId != null && Number.isSafeInteger(input.visitId) && input.visitId > 0) {
    const byId = await trx
      .updateTable('campaign_visit')
      .set({ converted_to_question: true, question_id: questionId })
      .where('id', '=', input.visitId)
      .where('expert_profile_id', '=', expertProfileId)
      .where('converted_to_question', '=', false)
      .where('visited_at', '>=', new Date(now.getTime() - VISIT_ID_MAX_AGE_MS))
      .where('visited_at', '<=', now)
      .returning(['id', 'campaign_id'])
      .executeTakeFirst();
    if (byId) return { visitId: byId.id, campaignId: byId.campaign_id, matchedBy: 'visit_id' };
  }

  if (input.ipHash) {
    const ipHash = input.ipHash;
    // SKIP LOCKED: two questions created at once from one address take different visits (or one
    // gets none) instead of waiting on each other; the outer WHERE re-checks after the lock.
    const byIp = await trx
      .updateTable('campaign_visit')
      .set({ converted_to_question: true, question_id: questionId })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('campaign_visit')
          .select('id')
          .where('expert_profile_id', '=', expertProfileId)
          .where('visitor_ip_hash', '=', ipHash)
          .where('converted_to_question', '=', false)
          .where('visited_at', '>=', new Date(now.getTime() - IP_MATCH_WINDOW_MS))
          .where('visited_at', '<=', now)
          .orderBy('visited_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .where('converted_to_question', '=', false)
      .returning(['id', 'campaign_id'])
      .executeTakeFirst();
    if (byIp) return { visitId: byIp.id, campaignId: byIp.campaign_id, matchedBy: 'ip_hash' };
  }
  return null;
}
