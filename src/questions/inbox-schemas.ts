import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity } from '../auth/guard.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { Attachment, ExpertQuestion } from './shapes.ts';

/** Schemas of the expert's inbox routes (inbox-routes.ts): the legacy client's shapes. */

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
const tags = ['inbox'];
const security = bearerSecurity;

const list = (summary: string) => ({
  tags,
  security,
  summary,
  querystring: ListQuery,
  response: { 200: ListReply, ...errorResponses(400, 401) },
});

export const S = {
  list: list('My questions: filter_type, status, price (dollars), search, sort_by, pages'),
  listWithMedia: list('My questions with attachments and recording segments'),
  count: {
    tags,
    security,
    summary: 'How many of my questions have this status (and are unanswered)',
    querystring: Type.Object({ status: Type.Optional(Type.String({ maxLength: 40 })), unanswered: Type.Optional(Type.Boolean()) }),
    response: { 200: Type.Object({ count: Type.Integer() }), ...errorResponses(400, 401) },
  },
  offers: {
    tags,
    security,
    summary: 'My Deep Dive offers waiting for a decision',
    response: {
      200: Type.Object({ success: Type.Optional(Type.Boolean()), offers: Type.Array(Offer), count: Type.Integer() }),
      ...errorResponses(401),
    },
  },
  ratings: {
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
  analytics: {
    tags,
    security,
    summary: 'Dashboard numbers (revenue in dollars); 404 without an expert profile',
    response: { 200: Analytics, ...errorResponses(401, 404) },
  },
} as const;
