import type { AuthUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { findProfileIdOfUser } from '../experts/queries.ts';
import { dashboardAnalytics } from './analytics.ts';
import { countQuestions, listForAnalytics, listPendingOffers, listQuestions, listRatedAnswers } from './listing.ts';
import { findMediaAssets, findRatingsOfQuestions } from './queries.ts';
import { recordingSegments } from './segments.ts';
import { profileIdOf } from './service.ts';
import { ms, parseAttachments, toExpertQuestion } from './shapes.ts';

/**
 * The expert's inbox: the question list, counts, pending offers, ratings and dashboard numbers.
 * A user without an expert profile has an empty inbox (the legacy client asks before onboarding),
 * except for the dashboard, which answers 404.
 */

export interface InboxQuery {
  page?: number | undefined;
  per_page?: number | undefined;
  filter_type?: string | undefined;
  status?: string | undefined;
  sort_by?: string | undefined;
  price_min?: number | undefined;
  price_max?: number | undefined;
  search?: string | undefined;
}

/** The legacy client asks for up to 1000 per page; more is capped, not refused. */
const MAX_PER_PAGE = 1000;

function pagination(page: number, perPage: number, total: number) {
  const totalPages = Math.ceil(total / perPage);
  return { page, per_page: perPage, total, total_pages: totalPages, has_next: page < totalPages, has_prev: page > 1 };
}

const cents = (dollars: number | undefined) => (dollars === undefined ? null : Math.round(dollars * 100));

/** One page of the inbox; `withSegments` adds each question's recording segments (the /api variant). */
export async function inboxPage(ctx: AppContext, user: AuthUser, q: InboxQuery, withSegments: boolean) {
  const page = q.page ?? 1;
  const perPage = Math.min(q.per_page ?? 10, MAX_PER_PAGE);
  const profile = await findProfileIdOfUser(ctx.db, user.id);
  if (!profile) return { questions: [], pagination: pagination(page, perPage, 0) };
  const { rows, total } = await listQuestions(ctx.db, {
    profileId: profile.id,
    filterType: q.filter_type ?? null,
    status: q.status ?? null,
    priceMinCents: cents(q.price_min),
    priceMaxCents: cents(q.price_max),
    search: q.search?.trim() || null,
    sortBy: q.sort_by ?? null,
    page,
    perPage,
  });
  const ratings = new Map(
    (
      await findRatingsOfQuestions(
        ctx.db,
        rows.map((r) => r.id),
      )
    ).map((r) => [r.question_id, r.rating]),
  );
  const mediaIds = withSegments ? rows.flatMap((r) => (r.media_asset_id ? [r.media_asset_id] : [])) : [];
  const media = new Map((mediaIds.length ? await findMediaAssets(ctx.db, mediaIds) : []).map((m) => [m.id, m]));
  const questions = rows.map((r) => {
    const item = toExpertQuestion(r, { rating: ratings.get(r.id) ?? null });
    if (!withSegments) return item;
    const m = r.media_asset_id ? media.get(r.media_asset_id) : undefined;
    return { ...item, recording_segments: m ? recordingSegments(m) : [] };
  });
  return { questions, pagination: pagination(page, perPage, total) };
}

export async function inboxCount(ctx: AppContext, user: AuthUser, status: string | null, unanswered: boolean): Promise<number> {
  const profile = await findProfileIdOfUser(ctx.db, user.id);
  return profile ? countQuestions(ctx.db, profile.id, status, unanswered) : 0;
}

/** Deep Dive offers still waiting for the expert, with the hours left to decide (one decimal). */
export async function pendingOffers(ctx: AppContext, user: AuthUser) {
  const profile = await findProfileIdOfUser(ctx.db, user.id);
  const now = ctx.now();
  const rows = profile ? await listPendingOffers(ctx.db, profile.id, now) : [];
  return rows.map((q) => ({
    question_id: q.id,
    title: q.title,
    text: q.text,
    payer_email: q.payer_email,
    payer_name: [q.payer_first_name, q.payer_last_name].filter(Boolean).join(' ') || null,
    proposed_price_cents: q.proposed_price_cents ?? q.price_cents,
    asker_message: q.asker_message,
    media_asset_id: q.media_asset_id,
    created_at: q.created_at.getTime(),
    offer_expires_at: ms(q.offer_expires_at) as number,
    hours_remaining: Math.max(0, Math.round(((ms(q.offer_expires_at) as number) - now.getTime()) / 360_000) / 10),
    sla_hours: q.sla_hours_snapshot,
    attachments: parseAttachments(q.attachments),
  }));
}

export async function ratedAnswers(ctx: AppContext, user: AuthUser) {
  const profile = await findProfileIdOfUser(ctx.db, user.id);
  if (!profile) return [];
  const rows = await listRatedAnswers(ctx.db, profile.id);
  return rows.map((r) => ({
    question_id: r.question_id,
    rating: r.rating as number,
    feedback_text: r.feedback_text,
    feedback_at: ms(r.feedback_at),
  }));
}

export async function myDashboardAnalytics(ctx: AppContext, user: AuthUser) {
  const profileId = await profileIdOf(ctx.db, user);
  return dashboardAnalytics(await listForAnalytics(ctx.db, profileId), ctx.now());
}
