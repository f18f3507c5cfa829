import type { FastifyRequest } from 'fastify';
import { requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { requireFlag } from '../flags/guard.ts';
import type { App } from '../http/app-type.ts';
import { hashIp } from '../http/ip-hash.ts';
import { S } from './schemas.ts';
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

/** Cloudflare's country header, when the server sits behind it; anything else is ignored. */
function country(req: FastifyRequest): string | null {
  const c = req.headers['cf-ipcountry'];
  return typeof c === 'string' && /^[A-Z]{2}$/.test(c) && c !== 'XX' ? c : null;
}

/** An expert's campaigns and their numbers (behind the marketing flag), and the public visit tracking (schemas in schemas.ts). */
export function marketingRoutes(app: App, ctx: AppContext): void {
  const gated = { preHandler: requireFlag(ctx, MARKETING_FLAG) };
  const perIpHashPerHour = {
    max: ctx.config.trackVisitLimitPerHour,
    timeWindow: 3_600_000,
    keyGenerator: (req: FastifyRequest) => `visit:${hashIp(ctx.config.ipHashSecret, req.ip)}`,
  };

  app.get('/marketing/campaigns', { ...gated, schema: S.list }, async (req) =>
    listCampaigns(ctx, (await requireUser(ctx, req)).id, req.query.include_archived ?? false),
  );

  app.post('/marketing/campaigns', { ...gated, schema: S.create }, async (req, reply) => {
    const user = await requireUser(ctx, req);
    const campaign = await createCampaign(ctx, user.id, req.body);
    reply.status(201);
    return campaign;
  });

  app.patch('/marketing/campaigns/:id', { ...gated, schema: S.change }, async (req) =>
    changeCampaign(ctx, (await requireUser(ctx, req)).id, req.params.id, req.body),
  );

  app.post('/marketing/campaigns/:id/archive', { ...gated, schema: S.archive }, async (req) =>
    changeCampaign(ctx, (await requireUser(ctx, req)).id, req.params.id, { status: 'archived' }),
  );

  app.get('/marketing/traffic-sources', { ...gated, schema: S.trafficSources }, async (req) =>
    trafficSources(ctx, (await requireUser(ctx, req)).id),
  );

  app.get('/marketing/insights', { ...gated, schema: S.insights }, async (req) => insights(ctx, (await requireUser(ctx, req)).id));

  app.get('/marketing/share-templates', { ...gated, schema: S.shareTemplates }, async (req) =>
    shareTemplatesFor(ctx, (await requireUser(ctx, req)).id),
  );

  app.post('/marketing/public/track-visit', { schema: S.trackVisit, config: { rateLimit: perIpHashPerHour } }, async (req) => {
    const referer = req.headers.referer;
    return trackVisit(ctx, req.body, {
      ipHash: hashIp(ctx.config.ipHashSecret, req.ip),
      userAgent: req.headers['user-agent'] ?? null,
      referrer: typeof referer === 'string' ? referer : null,
      country: country(req),
    });
  });
}
