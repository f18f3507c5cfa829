import { requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { softDeleteFeedback } from '../feedback/service.ts';
import type { App } from '../http/app-type.ts';
import { consoleAddNote, consoleFeedbackDetail, consoleFeedbackPage, consoleTags, consoleTriage } from './feedback-reads.ts';
import { S } from './feedback-schemas.ts';
import { consoleAnalytics, createTicket, replaceTags } from './feedback-service.ts';
import { ok } from './kit.ts';

/** The console's feedback screens (legacy `admin/api/feedback/*.js`); schemas in feedback-schemas.ts. */
export function consoleFeedbackRoutes(app: App, ctx: AppContext): void {
  app.get('/api/feedback', { schema: S.list }, async (req) => {
    await requireAdmin(ctx, req);
    return ok(ctx.now(), await consoleFeedbackPage(ctx, req.query));
  });

  app.get('/api/feedback/analytics', { schema: S.analytics }, async (req) => {
    await requireAdmin(ctx, req);
    return ok(ctx.now(), await consoleAnalytics(ctx, req.query.days ?? 30));
  });

  app.get('/api/feedback/tags', { schema: S.tags }, async (req) => {
    await requireAdmin(ctx, req);
    return ok(ctx.now(), { tags: await consoleTags(ctx) });
  });

  app.post('/api/feedback/tags', { schema: S.replaceTags }, async (req) => {
    const caller = await requireAdmin(ctx, req);
    await replaceTags(ctx, caller, Number(req.body.feedback_id), req.body.tag_ids.map(Number));
    return ok(ctx.now(), { message: 'Tags updated.' });
  });

  app.post('/api/feedback/comments', { schema: S.addNote }, async (req, reply) => {
    const comment = await consoleAddNote(ctx, await requireAdmin(ctx, req), Number(req.body.feedback_id), req.body.comment);
    reply.status(201);
    return ok(ctx.now(), { comment, message: 'Note added.' });
  });

  app.post(
    '/api/feedback/jira',
    {
      schema: S.jira,
      // The console posts no body: the id is in the query.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req);
      const id = req.query.id ?? req.body.feedback_id;
      if (id === undefined) throw badRequest('Say which feedback: ?id=<feedback id>.', 'missing_feedback_id');
      const ticket = await createTicket(ctx, caller, Number(id));
      reply.status(201);
      return ok(ctx.now(), { jira_ticket: ticket, message: `Ticket ${ticket.key} created.` });
    },
  );

  app.get('/api/feedback/:id', { schema: S.detail }, async (req) => {
    await requireAdmin(ctx, req);
    return ok(ctx.now(), await consoleFeedbackDetail(ctx, Number(req.params.id)));
  });

  app.patch('/api/feedback/:id', { schema: S.triage }, async (req) => {
    const feedback = await consoleTriage(ctx, await requireAdmin(ctx, req), Number(req.params.id), req.body);
    return ok(ctx.now(), { feedback, message: 'Feedback updated.' });
  });

  app.delete('/api/feedback/:id', { schema: S.archive }, async (req) => {
    await softDeleteFeedback(ctx, await requireAdmin(ctx, req, SUPER_ADMIN), Number(req.params.id));
    return ok(ctx.now(), { message: 'Feedback archived successfully' });
  });
}
