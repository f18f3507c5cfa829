import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import { sessionOrIpKey } from '../auth/rate-key.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { refundQuestion } from './refund.ts';
import { emptyBodyAsObject } from './shapes.ts';

const Reply = Type.Object({
  success: Type.Boolean(),
  question_id: Type.Integer(),
  status: Type.String(),
  payment_canceled: Type.Boolean(),
});
const Errors = errorResponses(400, 401, 403, 404, 409, 429);
const reason = Type.Optional(Nullable(Type.String({ maxLength: 1000 })));
const base = { tags: ['questions'], security: bearerSecurity };

export function refundRoutes(app: App, ctx: AppContext): void {
  // 5 refunds a minute per expert, on both paths.
  const config = { rateLimit: { max: 5, timeWindow: '1 minute', keyGenerator: sessionOrIpKey(ctx) } };
  app.post(
    '/api/questions/refund',
    {
      config,
      schema: {
        ...base,
        summary: 'Refund an unanswered question of mine (releases the hold)',
        body: Type.Object({ question_id: Type.Integer({ minimum: 1 }), refund_reason: reason }, { additionalProperties: false }),
        response: { 200: Reply, ...Errors },
      },
    },
    async (req) => refundQuestion(ctx, await requireUser(ctx, req), req.body.question_id, req.body.refund_reason ?? null),
  );
  app.post(
    '/question/:id/refund',
    {
      config,
      preValidation: emptyBodyAsObject,
      schema: {
        ...base,
        summary: 'Refund an unanswered question of mine (releases the hold)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ refund_reason: reason }, { additionalProperties: false }),
        response: { 200: Reply, ...Errors },
      },
    },
    async (req) => refundQuestion(ctx, await requireUser(ctx, req), req.params.id, req.body.refund_reason ?? null),
  );
}
