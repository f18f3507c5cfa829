import { requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { S } from './inbox-schemas.ts';
import { inboxCount, inboxPage, myDashboardAnalytics, pendingOffers, ratedAnswers } from './inbox-service.ts';

/** The expert's inbox; the /api/… twins are the newer client screens' variants of the same reads. */
export function inboxRoutes(app: App, ctx: AppContext): void {
  app.get('/me/questions', { schema: S.list }, async (req) => inboxPage(ctx, await requireUser(ctx, req), req.query, false));
  app.get('/api/me/questions', { schema: S.listWithMedia }, async (req) => inboxPage(ctx, await requireUser(ctx, req), req.query, true));

  app.get('/me/questions/count', { schema: S.count }, async (req) => ({
    count: await inboxCount(ctx, await requireUser(ctx, req), req.query.status ?? null, req.query.unanswered ?? false),
  }));

  app.get('/expert/pending-offers', { schema: S.offers }, async (req) => {
    const offers = await pendingOffers(ctx, await requireUser(ctx, req));
    return { offers, count: offers.length };
  });
  app.get('/api/expert/pending-offers', { schema: S.offers }, async (req) => {
    const offers = await pendingOffers(ctx, await requireUser(ctx, req));
    return { success: true, offers, count: offers.length };
  });

  app.get('/me/answers', { schema: S.ratings }, async (req) => ratedAnswers(ctx, await requireUser(ctx, req)));

  app.get('/me/dashboard-analytics', { schema: S.analytics }, async (req) => myDashboardAnalytics(ctx, await requireUser(ctx, req)));
}
