import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity } from '../auth/guard.ts';
import { ErrorBody } from '../http/schemas.ts';

const Errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody };
const Opt = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

const Campaign = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  utm_source: Type.String(),
  utm_campaign: Type.String(),
  utm_medium: Type.String(),
  utm_content: Type.String(),
  utm_term: Type.String(),
  status: Type.String(),
  total_visits: Type.Integer(),
  total_questions: Type.Integer(),
  total_revenue: Type.Number({ description: 'dollars' }),
  total_revenue_cents: Type.Integer(),
  conversion_rate: Type.Number({ description: 'percent' }),
  created_at: Type.Number(),
  updated_at: Type.Number(),
  last_visit_at: Type.Union([Type.Number(), Type.Null()]),
});
const Source = Type.Object({
  name: Type.String(),
  visits: Type.Integer(),
  questions: Type.Integer(),
  revenue: Type.Number({ description: 'dollars' }),
  revenue_cents: Type.Integer(),
  conversion_rate: Type.Number(),
});
const Insights = Type.Object({
  your_metrics: Type.Object({ visit_to_question: Type.Number(), total_visits: Type.Integer(), total_questions: Type.Integer() }),
  platform_average: Type.Object({ visit_to_question: Type.Number() }),
  insights: Type.Array(
    Type.Object({ severity: Type.String(), title: Type.String(), issue: Type.String(), recommendations: Type.Array(Type.String()) }),
  ),
});
const Templates = Type.Object({
  profile_url: Type.String(),
  stats: Type.Object({ answered_questions: Type.Integer(), average_rating: Type.Union([Type.Number(), Type.Null()]) }),
  templates: Type.Array(
    Type.Object({ id: Type.String(), platform: Type.String(), title: Type.String(), text: Type.String(), url: Type.String() }),
  ),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Utm = Type.String({ minLength: 1, maxLength: 100 });
const Name = Type.String({ minLength: 1, maxLength: 100 });
/** The two UTM fields that name a campaign (stored lower-case, unique per expert). */
const utmKeys = { utm_source: Utm, utm_campaign: Utm };
/** The UTM fields that describe a campaign; null or blank clears them. */
const utmDetails = {
  utm_medium: Opt(Type.String({ maxLength: 100 })),
  utm_content: Opt(Type.String({ maxLength: 255 })),
  utm_term: Opt(Type.String({ maxLength: 255 })),
};

const tags = ['marketing'];

/** The marketing routes' schemas, one per route (the handlers are in routes.ts). */
export const S = {
  list: {
    tags,
    summary: 'Own campaigns with visits, conversions and revenue (dollars), highest revenue first — a bare array',
    security: bearerSecurity,
    querystring: Type.Object({ include_archived: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    response: { 200: Type.Array(Campaign), ...Errors },
  },
  create: {
    tags,
    summary: 'Create a campaign; source and campaign are stored lower-case and unique per expert',
    security: bearerSecurity,
    body: Type.Object({ name: Name, ...utmKeys, ...utmDetails }, { additionalProperties: false }),
    response: { 201: Campaign, ...Errors },
  },
  change: {
    tags,
    summary: 'Rename, pause or resume an own campaign, or change its medium/content/term',
    security: bearerSecurity,
    params: IdParams,
    body: Type.Object(
      {
        name: Type.Optional(Name),
        status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused')])),
        ...utmDetails,
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: { 200: Campaign, ...Errors },
  },
  archive: {
    tags,
    summary: 'Archive an own campaign: hidden from the list, its link stops counting visits (PATCH status active restores it)',
    security: bearerSecurity,
    params: IdParams,
    response: { 200: Campaign, ...Errors },
  },
  trafficSources: {
    tags,
    summary: 'Own visits grouped by source, with conversions and revenue (dollars) — a bare array',
    security: bearerSecurity,
    response: { 200: Type.Array(Source), ...Errors },
  },
  insights: {
    tags,
    summary: 'Own visit-to-question rate against the platform benchmark, with advice',
    security: bearerSecurity,
    response: { 200: Insights, ...Errors },
  },
  shareTemplates: {
    tags,
    summary: 'Ready-to-share texts with tracked links and own stats',
    security: bearerSecurity,
    response: { 200: Templates, ...Errors },
  },
  trackVisit: {
    tags,
    summary: 'Record a campaign link visit (public; IP stored only as a keyed hash; rate-limited per hash)',
    body: Type.Object(
      {
        expert_handle: Type.String({ minLength: 1, maxLength: 100 }),
        ...utmKeys,
        ...utmDetails,
        referrer: Opt(Type.String({ maxLength: 2000 })),
      },
      { additionalProperties: false },
    ),
    response: {
      200: Type.Object({
        tracked: Type.Boolean(),
        campaign_id: Type.Optional(Type.Integer()),
        visit_id: Type.Optional(Type.Integer()),
      }),
      ...Errors,
    },
  },
};
