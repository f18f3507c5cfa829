import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { requireFlag } from '../flags/guard.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody } from '../http/schemas.ts';
import { hashVisitorIp } from './ip-hash.ts';
import {
  changeCampaign,
  createCampaign,
  insights,
  listCampaigns,
  MARKETING_FLAG,
  shareTemplatesFor,
  trackVisit,
  trafficSources,
} from './service.ts';

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

/** Cloudflare's country header, when the server sits behind it; anything else is ignored. */
function country(req: FastifyRequest): string | null {
  const c = req.headers['cf-ipcountry'];
  return typeof c === 'string' && /^[A-Z]{2}$/.test(c) && c !== 'XX' ? c : null;
}

export function marketingRoutes(app: App, ctx: AppContext): void {
  const gated = { preHandler: requireFlag(ctx, MARKETING_FLAG) };
  const tags = ['marketing'];

  app.get(
    '/marketing/campaigns',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Own campaigns with visits, conversions and revenue (dollars), highest revenue first — a bare array',
        security: bearerSecurity,
        querystring: Type.Object({ include_archived: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Array(Campaign), ...Errors },
      },
    },
    async (req) => listCampaigns(ctx, (await requireUser(ctx, req)).id, req.query.include_archived ?? false),
  );

  app.post(
    '/marketing/campaigns',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Create a campaign; source and campaign are stored lower-case and unique per expert',
        security: bearerSecurity,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            utm_source: Utm,
            utm_campaign: Utm,
            utm_medium: Opt(Type.String({ maxLength: 100 })),
            utm_content: Opt(Type.String({ maxLength: 255 })),
            utm_term: Opt(Type.String({ maxLength: 255 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Campaign, ...Errors },
      },
    },
    async (req, reply) => {
      const user = await requireUser(ctx, req);
      const campaign = await createCampaign(ctx, user.id, req.body);
      reply.status(201);
      return campaign;
    },
  );

  app.patch(
    '/marketing/campaigns/:id',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Rename, pause or resume an own campaign, or change its medium/content/term',
        security: bearerSecurity,
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused')])),
            utm_medium: Opt(Type.String({ maxLength: 100 })),
            utm_content: Opt(Type.String({ maxLength: 255 })),
            utm_term: Opt(Type.String({ maxLength: 255 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Campaign, ...Errors },
      },
    },
    async (req) => changeCampaign(ctx, (await requireUser(ctx, req)).id, req.params.id, req.body),
  );

  app.post(
    '/marketing/campaigns/:id/archive',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Archive an own campaign: hidden from the list, its link stops counting visits (PATCH status active restores it)',
        security: bearerSecurity,
        params: IdParams,
        response: { 200: Campaign, ...Errors },
      },
    },
    async (req) => changeCampaign(ctx, (await requireUser(ctx, req)).id, req.params.id, { status: 'archived' }),
  );

  app.get(
    '/marketing/traffic-sources',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Own visits grouped by source, with conversions and revenue (dollars) — a bare array',
        security: bearerSecurity,
        response: { 200: Type.Array(Source), ...Errors },
      },
    },
    async (req) => trafficSources(ctx, (await requireUser(ctx, req)).id),
  );

  app.get(
    '/marketing/insights',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Own visit-to-question rate against the platform benchmark, with advice',
        security: bearerSecurity,
        response: { 200: Insights, ...Errors },
      },
    },
    async (req) => insights(ctx, (await requireUser(ctx, req)).id),
  );

  app.get(
    '/marketing/share-templates',
    {
      ...gated,
      schema: {
        tags,
        summary: 'Ready-to-share texts with tracked links and own stats',
        security: bearerSecurity,
        response: { 200: Templates, ...Errors },
      },
    },
    async (req) => shareTemplatesFor(ctx, (await requireUser(ctx, req)).id),
  );

  app.post(
    '/marketing/public/track-visit',
    {
      schema: {
        tags,
        summary: 'Record a campaign link visit (public; IP stored only as a keyed hash; rate-limited per hash)',
        body: Type.Object(
          {
            expert_handle: Type.String({ minLength: 1, maxLength: 100 }),
            utm_source: Utm,
            utm_campaign: Utm,
            utm_medium: Opt(Type.String({ maxLength: 100 })),
            utm_content: Opt(Type.String({ maxLength: 255 })),
            utm_term: Opt(Type.String({ maxLength: 255 })),
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
      config: {
        rateLimit: {
          max: ctx.config.trackVisitLimitPerHour,
          timeWindow: 3_600_000,
          keyGenerator: (req) => `visit:${hashVisitorIp(ctx.config.ipHashSecret, req.ip)}`,
        },
      },
    },
    async (req) => {
      const referer = req.headers.referer;
      return trackVisit(ctx, req.body, {
        ipHash: hashVisitorIp(ctx.config.ipHashSecret, req.ip),
        userAgent: req.headers['user-agent'] ?? null,
        referrer: typeof referer === 'string' ? referer : null,
        country: country(req),
      });
    },
  );
}
