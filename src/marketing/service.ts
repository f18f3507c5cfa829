import type { AppContext } from '../context.ts';
import { conflict, notFound, unprocessable } from '../errors.ts';
import { findProfileIdOfUser, findProfileOwnerByHandle } from '../experts/queries.ts';
import { isFlagEnabled } from '../flags/service.ts';
import { deviceType } from './device.ts';
import { buildInsights, conversionRate } from './insights.ts';
import { campaignUrl, shareTemplates } from './links.ts';
import {
  answerStats,
  type CampaignMetricsRow,
  type CampaignStatus,
  countCampaigns,
  findCampaignByUtm,
  findCampaignMetrics,
  findOwnCampaignForUpdate,
  insertCampaign,
  insertVisit,
  listCampaignMetrics,
  trafficBySource,
  updateCampaign,
  visitTotals,
} from './queries.ts';

/** Campaigns an expert may have, including auto-created and archived ones. */
const MAX_CAMPAIGNS_PER_EXPERT = 100;
export const MARKETING_FLAG = 'marketing_module';

const dollars = (cents: number) => Math.round(cents) / 100;
const blankToNull = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);
const utmKey = (s: string) => s.trim().toLowerCase();

/** The shape the legacy dashboard reads; utm_* are never null (the client lower-cases them). */
function campaignOut(c: CampaignMetricsRow, clientOrigin: string, handle: string | null) {
  return {
    id: c.id,
    name: c.name,
    url: campaignUrl(clientOrigin, handle, c),
    utm_source: c.utm_source,
    utm_campaign: c.utm_campaign,
    utm_medium: c.utm_medium ?? '',
    utm_content: c.utm_content ?? '',
    utm_term: c.utm_term ?? '',
    status: c.status,
    total_visits: c.visits,
    total_questions: c.questions,
    total_revenue: dollars(Number(c.revenue_cents)),
    total_revenue_cents: Number(c.revenue_cents),
    conversion_rate: conversionRate(c.questions, c.visits),
    created_at: c.created_at.getTime(),
    updated_at: c.updated_at.getTime(),
    last_visit_at: c.last_visit_at ? c.last_visit_at.getTime() : null,
  };
}

async function expertOf(ctx: AppContext, userId: number) {
  const expert = await findProfileIdOfUser(ctx.db, userId);
  if (!expert) throw notFound('You have no expert profile yet: finish onboarding first.', 'expert_profile_missing');
  return expert;
}

export async function listCampaigns(ctx: AppContext, userId: number, includeArchived: boolean) {
  const expert = await findProfileIdOfUser(ctx.db, userId);
  if (!expert) return [];
  const statuses: CampaignStatus[] = includeArchived ? ['active', 'paused', 'archived'] : ['active', 'paused'];
  const rows = await listCampaignMetrics(ctx.db, expert.id, statuses);
  return rows.map((c) => campaignOut(c, ctx.config.clientOrigin, expert.handle));
}

export interface CampaignInput {
  name: string;
  utm_source: string;
  utm_campaign: string;
  utm_medium?: string | null | undefined;
  utm_content?: string | null | undefined;
  utm_term?: string | null | undefined;
}

export async function createCampaign(ctx: AppContext, userId: number, input: CampaignInput) {
  const expert = await expertOf(ctx, userId);
  if (!expert.handle) throw unprocessable('Choose your handle in your profile first: campaign links point to it.', 'handle_required');
  const source = utmKey(input.utm_source);
  const campaign = utmKey(input.utm_campaign);
  if (!source || !campaign) throw unprocessable('utm_source and utm_campaign cannot be blank.', 'utm_required');
  const now = ctx.now();
  const id = await ctx.db.transaction().execute(async (trx) => {
    if (await findCampaignByUtm(trx, expert.id, source, campaign)) {
      throw conflict(`You already have a campaign with source "${source}" and campaign "${campaign}".`, 'campaign_exists');
    }
    if ((await countCampaigns(trx, expert.id)) >= MAX_CAMPAIGNS_PER_EXPERT) {
      throw unprocessable(`You can have at most ${MAX_CAMPAIGNS_PER_EXPERT} campaigns.`, 'campaign_limit');
    }
    const row = await insertCampaign(
      trx,
      {
        expert_profile_id: expert.id,
        name: input.name.trim() || campaign,
        utm_source: source,
        utm_campaign: campaign,
        utm_medium: blankToNull(input.utm_medium)?.toLowerCase() ?? null,
        utm_content: blankToNull(input.utm_content),
        utm_term: blankToNull(input.utm_term),
      },
      now,
    );
    // A concurrent create of the same campaign won the race.
    if (!row) throw conflict(`You already have a campaign with source "${source}" and campaign "${campaign}".`, 'campaign_exists');
    return row.id;
  });
  return campaignById(ctx, id, expert.handle);
}

async function campaignById(ctx: AppContext, id: number, handle: string | null) {
  const row = await findCampaignMetrics(ctx.db, id);
  if (!row) throw notFound('Campaign not found.', 'campaign_not_found');
  return campaignOut(row, ctx.config.clientOrigin, handle);
}

export interface CampaignPatch {
  name?: string | undefined;
  status?: 'active' | 'paused' | undefined;
  utm_medium?: string | null | undefined;
  utm_content?: string | null | undefined;
  utm_term?: string | null | undefined;
}

/** Changes an own campaign. Source and campaign are fixed: links with them are already shared. */
export async function changeCampaign(ctx: AppContext, userId: number, campaignId: number, patch: CampaignPatch | { status: 'archived' }) {
  const expert = await expertOf(ctx, userId);
  const now = ctx.now();
  const changes: Parameters<typeof updateCampaign>[2] = {};
  if ('name' in patch && patch.name !== undefined) changes.name = patch.name.trim();
  if (patch.status !== undefined) changes.status = patch.status;
  if ('utm_medium' in patch && patch.utm_medium !== undefined) changes.utm_medium = blankToNull(patch.utm_medium)?.toLowerCase() ?? null;
  if ('utm_content' in patch && patch.utm_content !== undefined) changes.utm_content = blankToNull(patch.utm_content);
  if ('utm_term' in patch && patch.utm_term !== undefined) changes.utm_term = blankToNull(patch.utm_term);
  if (changes.name === '') throw unprocessable('A campaign name cannot be blank.', 'name_required');
  await ctx.db.transaction().execute(async (trx) => {
    // Another expert's campaign answers like a missing one: ids reveal nothing.
    const own = await findOwnCampaignForUpdate(trx, campaignId, expert.id);
    if (!own) throw notFound('Campaign not found.', 'campaign_not_found');
    await updateCampaign(trx, campaignId, changes, now);
  });
  return campaignById(ctx, campaignId, expert.handle);
}

export interface VisitInput {
  expert_handle: string;
  utm_source: string;
  utm_campaign: string;
  utm_medium?: string | null | undefined;
  utm_content?: string | null | undefined;
  utm_term?: string | null | undefined;
  referrer?: string | null | undefined;
}

export type VisitResult = { tracked: false } | { tracked: true; campaign_id: number; visit_id: number };

/**
 * Records one visit of a campaign link. A campaign the expert has not created yet is created on
 * the fly (links are often typed by hand); paused and archived campaigns record nothing.
 */
export async function trackVisit(
  ctx: AppContext,
  input: VisitInput,
  meta: { ipHash: string; userAgent: string | null; referrer: string | null; country: string | null },
): Promise<VisitResult> {
  if (!(await isFlagEnabled(ctx.db, MARKETING_FLAG))) return { tracked: false };
  const expert = await findProfileOwnerByHandle(ctx.db, input.expert_handle.trim());
  const source = utmKey(input.utm_source);
  const campaign = utmKey(input.utm_campaign);
  if (!expert || !source || !campaign) return { tracked: false };
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx): Promise<VisitResult> => {
    let found = await findCampaignByUtm(trx, expert.id, source, campaign);
    if (!found) {
      if ((await countCampaigns(trx, expert.id)) >= MAX_CAMPAIGNS_PER_EXPERT) return { tracked: false };
      const values = {
        expert_profile_id: expert.id,
        name: campaign,
        utm_source: source,
        utm_campaign: campaign,
        utm_medium: blankToNull(input.utm_medium)?.toLowerCase() ?? null,
        utm_content: blankToNull(input.utm_content),
        utm_term: blankToNull(input.utm_term),
      };
      found = (await insertCampaign(trx, values, now)) ?? (await findCampaignByUtm(trx, expert.id, source, campaign));
    }
    if (found?.status !== 'active') return { tracked: false };
    const visitId = await insertVisit(
      trx,
      {
        campaign_id: found.id,
        expert_profile_id: expert.id,
        visitor_ip_hash: meta.ipHash,
        referrer: (blankToNull(input.referrer) ?? meta.referrer)?.slice(0, 500) ?? null,
        user_agent: meta.userAgent?.slice(0, 500) ?? null,
        country: meta.country,
        device_type: deviceType(meta.userAgent),
      },
      now,
    );
    return { tracked: true, campaign_id: found.id, visit_id: visitId };
  });
}

export async function trafficSources(ctx: AppContext, userId: number) {
  const expert = await findProfileIdOfUser(ctx.db, userId);
  if (!expert) return [];
  const rows = await trafficBySource(ctx.db, expert.id);
  return rows.map((r) => ({
    name: r.name,
    visits: r.visits,
    questions: r.questions,
    revenue: dollars(Number(r.revenue_cents)),
    revenue_cents: Number(r.revenue_cents),
    conversion_rate: conversionRate(r.questions, r.visits),
  }));
}

export async function insights(ctx: AppContext, userId: number) {
  const expert = await findProfileIdOfUser(ctx.db, userId);
  return buildInsights(expert ? await visitTotals(ctx.db, expert.id) : { visits: 0, questions: 0 });
}

export async function shareTemplatesFor(ctx: AppContext, userId: number) {
  const expert = await expertOf(ctx, userId);
  const stats = await answerStats(ctx.db, expert.id);
  return {
    profile_url: `${ctx.config.clientOrigin}/u/${encodeURIComponent(expert.handle ?? '')}`,
    stats: { answered_questions: stats.answered, average_rating: stats.averageRating },
    templates: shareTemplates(ctx.config.clientOrigin, expert.handle, stats),
  };
}
