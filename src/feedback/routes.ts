import { requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import { optionalUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { auditedFeedbackAnalytics, feedbackDetail, feedbackTagCounts, feedbackTags, listFeedbackPage } from './reads.ts';
import { S } from './schemas.ts';
import { addComment, addTag, changeFeedback, removeTag, softDeleteFeedback, submitFeedback } from './service.ts';
import { commentOut, feedbackOut } from './shapes.ts';

/** The widget's submission and the operator API under /api/feedback (schemas in schemas.ts). */
export function feedbackRoutes(app: App, ctx: AppContext): void {
  const perIpPerHour = {
    max: ctx.config.feedbackLimitPerHour,
    timeWindow: 3_600_000,
    keyGenerator: (req: { ip: string }) => `feedback:${req.ip}`,
  };
  app.post('/api/feedback', { schema: S.submit, config: { rateLimit: perIpPerHour } }, async (req, reply) => {
    // A stale token must not lose the user's feedback: an invalid one is treated as anonymous.
    const user = await optionalUser(ctx, req).catch((err) => {
      if (err instanceof HttpError && err.status === 401) return null;
      throw err;
    });
    const id = await submitFeedback(ctx, { body: req.body, userAgent: req.headers['user-agent'] ?? null, userId: user?.id ?? null });
    reply.status(201);
    return { success: true, id };
  });

  app.get('/api/feedback', { schema: S.list }, async (req) => {
    const { rows, pagination } = await listFeedbackPage(ctx, await requireAdmin(ctx, req), req.query);
    return { feedback: rows.map(feedbackOut), pagination };
  });

  app.get('/api/feedback/analytics', { schema: S.analytics }, async (req) =>
    auditedFeedbackAnalytics(ctx, await requireAdmin(ctx, req), req.query.days ?? 30),
  );

  app.get('/api/feedback/tags', { schema: S.tagCounts }, async (req) => ({
    tags: await feedbackTagCounts(ctx, await requireAdmin(ctx, req)),
  }));

  app.get('/api/feedback/:id', { schema: S.detail }, async (req) => {
    const d = await feedbackDetail(ctx, await requireAdmin(ctx, req), req.params.id);
    const context = (d.row.context ?? {}) as Record<string, unknown>;
    return { feedback: { ...feedbackOut(d.row), context, tags: d.tags, attachments: d.attachments, comments: d.comments.map(commentOut) } };
  });

  app.patch('/api/feedback/:id', { schema: S.triage }, async (req) => {
    const row = await changeFeedback(ctx, await requireAdmin(ctx, req), req.params.id, req.body);
    return { feedback: { ...feedbackOut(row), tags: await feedbackTags(ctx, row.id) } };
  });

  app.delete('/api/feedback/:id', { schema: S.remove }, async (req) => {
    await softDeleteFeedback(ctx, await requireAdmin(ctx, req, SUPER_ADMIN), req.params.id);
    return { success: true };
  });

  app.post('/api/feedback/:id/comments', { schema: S.comment }, async (req, reply) => {
    const comment = await addComment(ctx, await requireAdmin(ctx, req), req.params.id, req.body.body);
    reply.status(201);
    return { comment: commentOut(comment) };
  });

  app.post('/api/feedback/:id/tags', { schema: S.tag }, async (req) => ({
    tags: await addTag(ctx, await requireAdmin(ctx, req), req.params.id, req.body.tag),
  }));

  app.delete('/api/feedback/:id/tags/:tag', { schema: S.untag }, async (req) => ({
    tags: await removeTag(ctx, await requireAdmin(ctx, req), req.params.id, req.params.tag),
  }));
}
