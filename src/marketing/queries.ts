import { type RawBuilder, sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { Db } from '../db/index.ts';
import type { DeviceType } from './device.ts';

export type CampaignStatus = 'active' | 'paused' | 'archived';

/** A campaign with its metrics computed from visits and the questions they led to. */
export interface CampaignMetricsRow {
  id: number;
  expert_profile_id: number;
  name: string;
  utm_source: string;
  utm_medium: string | null;
  utm_campaign: string;
  utm_content: string | null;
  utm_term: string | null;
  status: CampaignStatus;
  created_at: Date;
  updated_at: Date;
  visits: number;
  questions: number;
  revenue_cents: number;
  last_visit_at: Date | null;
}

/**
 * Revenue counts the price of attributed questions whose money was not released (declined
 * offers and refunds don't count); conversions count every converted visit.
 */
function campaignsWithMetrics(where: RawBuilder<unknown>) {
  return sql<CampaignMetricsRow>`
    SELECT c.id, c.expert_profile_id, c.name, c.utm_source, c.utm_medium, c.utm_campaign, c.utm_content, c.utm_term,
           c.status, c.created_at, c.updated_at,
           count(v.id)::int AS visits,
           (count(v.id) FILTER (WHERE v.converted_to_question))::int AS questions,
           coalesce(sum(coalesce(q.final_price_cents, q.price_cents)) FILTER (WHERE q.status NOT IN ('declined', 'refunded')), 0)::bigint
             AS revenue_cents,
           max(v.visited_at) AS last_visit_at
    FROM utm_campaign c
    LEFT JOIN campaign_visit v ON v.campaign_id = c.id
    LEFT JOIN question q ON q.id = v.question_id
    WHERE ${where}
    GROUP BY c.id
    ORDER BY revenue_cents DESC, c.created_at DESC, c.id DESC`;
}

export async function listCampaignMetrics(db: Db, expertProfileId: number, statuses: CampaignStatus[]): Promise<CampaignMetricsRow[]> {
  const { rows } = await campaignsWithMetrics(
    sql`c.expert_profile_id = ${expertProfileId} AND c.status = any(${statuses}::text[])`,
  ).execute(db);
  return rows;
}

export async function findCampaignMetrics(db: Db, campaignId: number): Promise<CampaignMetricsRow | undefined> {
  const { rows } = await campaignsWithMetrics(sql`c.id = ${campaignId}`).execute(db);
  return rows[0];
}

export function findOwnCampaignForUpdate(db: Db, campaignId: number, expertProfileId: number) {
  return db
    .selectFrom('utm_campaign')
    .select(['id', 'status'])
    .where('id', '=', campaignId)
    .where('expert_profile_id', '=', expertProfileId)
    .forUpdate()
    .executeTakeFirst();
}

/** Source and campaign are matched case-insensitively: legacy rows may not be lower-cased. */
export function findCampaignByUtm(db: Db, expertProfileId: number, source: string, campaign: string) {
  return db
    .selectFrom('utm_campaign')
    .select(['id', 'status'])
    .where('expert_profile_id', '=', expertProfileId)
    .where((eb) => eb(eb.fn('lower', ['utm_source']), '=', source))
    .where((eb) => eb(eb.fn('lower', ['utm_campaign']), '=', campaign))
    .orderBy('id')
    .executeTakeFirst();
}

export async function countCampaigns(db: Db, expertProfileId: number): Promise<number> {
  const row = await db
    .selectFrom('utm_campaign')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('expert_profile_id', '=', expertProfileId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewCampaign {
  expert_profile_id: number;
  name: string;
  utm_source: string;
  utm_campaign: string;
  utm_medium: string | null;
  utm_content: string | null;
  utm_term: string | null;
}

/** Inserts the campaign; undefined when (expert, source, campaign) exists already. */
export function insertCampaign(db: Db, c: NewCampaign, now: Date) {
  return db
    .insertInto('utm_campaign')
    .values({ ...c, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['expert_profile_id', 'utm_source', 'utm_campaign']).doNothing())
    .returning(['id', 'status'])
    .executeTakeFirst();
}

export async function updateCampaign(
  db: Db,
  campaignId: number,
  patch: Partial<{ name: string; status: CampaignStatus; utm_medium: string | null; utm_content: string | null; utm_term: string | null }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('utm_campaign')
    .set({ ...patch, updated_at: now })
    .where('id', '=', campaignId)
    .execute();
}

export interface NewVisit {
  campaign_id: number;
  expert_profile_id: number;
  visitor_ip_hash: string;
  referrer: string | null;
  user_agent: string | null;
  country: string | null;
  device_type: DeviceType;
}

export async function insertVisit(db: Db, v: NewVisit, now: Date): Promise<number> {
  const row = await db
    .insertInto('campaign_visit')
    .values({ ...v, visited_at: now, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface SourceRow {
  name: string;
  visits: number;
  questions: number;
  revenue_cents: number;
}

export async function trafficBySource(db: Db, expertProfileId: number): Promise<SourceRow[]> {
  const { rows } = await sql<SourceRow>`
    SELECT coalesce(nullif(lower(c.utm_source), ''), 'direct') AS name,
           count(v.id)::int AS visits,
           (count(v.id) FILTER (WHERE v.converted_to_question))::int AS questions,
           coalesce(sum(coalesce(q.final_price_cents, q.price_cents)) FILTER (WHERE q.status NOT IN ('declined', 'refunded')), 0)::bigint
             AS revenue_cents
    FROM campaign_visit v
    JOIN utm_campaign c ON c.id = v.campaign_id
    LEFT JOIN question q ON q.id = v.question_id
    WHERE v.expert_profile_id = ${expertProfileId}
    GROUP BY 1
    ORDER BY visits DESC, name`.execute(db);
  return rows;
}

export async function visitTotals(db: Db, expertProfileId: number): Promise<{ visits: number; questions: number }> {
  const row = await db
    .selectFrom('campaign_visit')
    .select((eb) => [eb.fn.countAll<number>().as('visits'), sql<number>`count(*) FILTER (WHERE converted_to_question)`.as('questions')])
    .where('expert_profile_id', '=', expertProfileId)
    .executeTakeFirstOrThrow();
  return { visits: Number(row.visits), questions: Number(row.questions) };
}

/** What the share texts quote: answered questions and the average rating askers gave. */
export async function answerStats(db: Db, expertProfileId: number): Promise<{ answered: number; averageRating: number | null }> {
  const row = await db
    .selectFrom('question as q')
    .leftJoin('answer as a', (j) => j.onRef('a.question_id', '=', 'q.id').on('a.rating', '>', 0))
    .select((eb) => [
      sql<number>`count(DISTINCT q.id) FILTER (WHERE q.answered_at IS NOT NULL)`.as('answered'),
      eb.fn.avg<number | null>('a.rating').as('avg'),
    ])
    .where('q.expert_profile_id', '=', expertProfileId)
    .executeTakeFirstOrThrow();
  return { answered: Number(row.answered), averageRating: row.avg === null ? null : Math.round(Number(row.avg) * 10) / 10 };
}

/** An erased expert's visits (account erasure): returns how many went. */
export function deleteVisitsOfExpert(trx: Db, profileId: number) {
  return deleteByIds(trx, 'campaign_visit', [profileId], 'expert_profile_id');
}

/** An erased expert's campaigns, after their visits: returns how many went. */
export function deleteCampaignsOfExpert(trx: Db, profileId: number) {
  return deleteByIds(trx, 'utm_campaign', [profileId], 'expert_profile_id');
}

/** The visit that brought the asker stays counted for the expert, without their browser traces. */
export async function scrubVisits(trx: Db, questionIds: number[]) {
  if (!questionIds.length) return 0;
  const r = await sql`
    UPDATE campaign_visit SET visitor_ip_hash = NULL, user_agent = NULL, referrer = NULL
    WHERE question_id = ANY(${questionIds}::bigint[])`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}
