import { type Static, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { dashboardAnalytics } from './analytics.ts';
import { countQuestions, listForAnalytics, listPendingOffers, listQuestions, listRatedAnswers } from './listing.ts';
import { findMediaAssets, findProfileIdOfUser, findRatingsOfQuestions } from './queries.ts';
import { recordingSegments } from './segments.ts';
import { profileIdOf } from './service.ts';
import { Attachment, ExpertQuestion, ms, parseAttachments, toExpertQuestion } from './shapes.ts';

const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, default: 10, description: 'up to 1000 (larger values are capped)' })),
  filter_type: Type.Optional(Type.String({ maxLength: 40 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  sort_by: Type.Optional(Type.String({ maxLength: 40 })),
  // Bounded so that the cents always fit the price column (a larger value was a 500).
  price_min: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000_000, description: 'dollars' })),
  price_max: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000_000, description: 'dollars' })),
  search: Type.Optional(Type.String({ maxLength: 200 })),
});
const ListReply = Type.Object({
  questions: Type.Array(ExpertQuestion),
  pagination: Type.Object({
    page: Type.Integer(),
    per_page: Type.Integer(),
    total: Type.Integer(),
    total_pages: Type.Integer(),
    has_next: Type.Boolean(),
    has_prev: Type.Boolean(),
  }),
});
const Offer = Type.Object({
  question_id: Type.Integer(),
  title: Type.String(),
  text: Nullable(Type.String()),
  payer_email: Type.String(),
  payer_name: Nullable(Type.String()),
  proposed_price_cents: Type.Integer(),
  asker_message: Nullable(Type.String()),
  media_asset_id: Nullable(Type.Integer()),
  created_at: Type.Number(),
  offer_expires_at: Type.Number(),
  hours_remaining: Type.Number(),
  sla_hours: Nullable(Type.Integer()),
  attachments: Type.Array(Attachment),
});
const OffersReply = Type.Object({ success: Type.Optional(Type.Boolean()), offers: Type.Array(Offer), count: Type.Integer() });
const Analytics = Type.Object({
  thisMonthRevenue: Type.Number(),
  avgResponseTime: Type.Number(),
  avgRating: Type.Number(),
  urgentCount: Type.Integer(),
  pendingCount: Type.Integer(),
  answeredCount: Type.Integer(),
  thisMonthAnsweredCount: Type.Integer(),
  avgRevenuePerQuestion: Type.Number(),
  slaComplianceRate: Type.Number(),
  totalQuestions: Type.Integer(),
  revenueChange: Type.Number(),
});
const MAX_PER_PAGE = 1000;
const tags = ['inbox'];
const security = bearerSecurity;

export function inboxRoutes(app: App, ctx: AppContext): void {
  const list = (withSegments: boolean) => async (req: FastifyRequest) => {
    const user = await requireUser(ctx, req);
    const q = req.query as Static<typeof ListQuery>;
    const page = q.page ?? 1;
    const perPage = Math.min(q.per_page ?? 10, MAX_PER_PAGE);
    const profile = await findProfileIdOfUser(ctx.db, user.id);
    if (!profile) return { questions: [], pagination: pagination(page, perPage, 0) };
    const { rows, total } = await listQuestions(ctx.db, {
      profileId: profile.id,
      filterType: q.filter_type ?? null,
      status: q.status ?? null,
      priceMinCents: q.price_min === undefined ? null : Math.round(q.price_min * 100),
      priceMaxCents: q.price_max === undefined ? null : Math.round(q.price_max * 100),
      search: q.search?.trim() || null,
      sortBy: q.sort_by ?? null,
      page,
      perPage,
    });
    const ids = rows.map((r) => r.id);
    const ratings = new Map((await findRatingsOfQuestions(ctx.db, ids)).map((r) => [r.question_id, r.rating]));
    const media = withSegments
      ? new Map(
          (
            await findMediaAssets(
              ctx.db,
              rows.flatMap((r) => (r.media_asset_id ? [r.media_asset_id] : [])),
            )
          ).map((m) => [m.id, m]),
        )
      : new Map();
    const questions = rows.map((r) => {
      const item = toExpertQuestion(r, { rating: ratings.get(r.id) ?? null });
      if (!withSegments) return item;
      const m = r.media_asset_id ? media.get(r.media_asset_id) : undefined;
      return { ...item, recording_segments: m ? recordingSegments(m) : [] };
    });
    return { questions, pagination: pagination(page, perPage, total) };
  };
  const listSchema = (summary: string) => ({
    tags,
    security,
    summary,
    querystring: ListQuery,
    response: { 200: ListReply, ...errorResponses(400, 401) },
  });
  app.get(
    '/me/questions',
    { schema: listSchema('My questions: filter_type, status, price (dollars), search, sort_by, pages') },
    list(false),
  );
  app.get('/api/me/questions', { schema: listSchema('My questions with attachments and recording segments') }, list(true));

  app.get(
    '/me/questions/count',
    {
      schema: {
        tags,
        security,
        summary: 'How many of my questions have this status (and are unanswered)',
        querystring: Type.Object({ status: Type.Optional(Type.String({ maxLength: 40 })), unanswered: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ count: Type.Integer() }), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const user = await requireUser(ctx, req);
      const profile = await findProfileIdOfUser(ctx.db, user.id);
      if (!profile) return { count: 0 };
      return { count: await countQuestions(ctx.db, profile.id, req.query.status ?? null, req.query.unanswered ?? false) };
    },
  );

  const offers = (withSuccess: boolean) => async (req: FastifyRequest) => {
    const user = await requireUser(ctx, req);
    const profile = await findProfileIdOfUser(ctx.db, user.id);
    const now = ctx.now();
    const rows = profile ? await listPendingOffers(ctx.db, profile.id, now) : [];
    const items = rows.map((q) => ({
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
    return { ...(withSuccess ? { success: true } : {}), offers: items, count: items.length };
  };
  const offersSchema = {
    tags,
    security,
    summary: 'My Deep Dive offers waiting for a decision',
    response: { 200: OffersReply, ...errorResponses(401) },
  };
  app.get('/expert/pending-offers', { schema: offersSchema }, offers(false));
  app.get('/api/expert/pending-offers', { schema: offersSchema }, offers(true));

  app.get(
    '/me/answers',
    {
      schema: {
        tags,
        security,
        summary: 'Ratings my answers received (bare array)',
        response: {
          200: Type.Array(
            Type.Object({
              question_id: Type.Integer(),
              rating: Type.Integer(),
              feedback_text: Nullable(Type.String()),
              feedback_at: Nullable(Type.Number()),
            }),
          ),
          ...errorResponses(401),
        },
      },
    },
    async (req) => {
      const user = await requireUser(ctx, req);
      const profile = await findProfileIdOfUser(ctx.db, user.id);
      if (!profile) return [];
      const rows = await listRatedAnswers(ctx.db, profile.id);
      return rows.map((r) => ({
        question_id: r.question_id,
        rating: r.rating as number,
        feedback_text: r.feedback_text,
        feedback_at: ms(r.feedback_at),
      }));
    },
  );

  app.get(
    '/me/dashboard-analytics',
    {
      schema: {
        tags,
        security,
        summary: 'Dashboard numbers (revenue in dollars); 404 without an expert profile',
        response: { 200: Analytics, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const user = await requireUser(ctx, req);
      const profileId = await profileIdOf(ctx.db, user);
      return dashboardAnalytics(await listForAnalytics(ctx.db, profileId), ctx.now());
    },
  );
}

function pagination(page: number, perPage: number, total: number) {
  const totalPages = Math.ceil(total / perPage);
  return { page, per_page: perPage, total, total_pages: totalPages, has_next: page < totalPages, has_prev: page > 1 };
}
