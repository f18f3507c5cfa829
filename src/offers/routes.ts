import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import { sessionOrIpKey } from '../auth/rate-key.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { emptyBodyAsObject } from '../questions/shapes.ts';
import { acceptOffer, declineOffer } from './service.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const AcceptReply = Type.Object({
  success: Type.Boolean(),
  question_id: Type.Integer(),
  status: Type.String({ description: 'the pricing status: offer_accepted' }),
  question_status: Type.String(),
  sla_deadline: Type.Number(),
  sla_hours: Type.Integer(),
});
const DeclineReply = Type.Object({
  success: Type.Boolean(),
  question_id: Type.Integer(),
  status: Type.String({ description: 'the pricing status: offer_declined' }),
  question_status: Type.String(),
  payment_canceled: Type.Boolean(),
});
const Errors = errorResponses(400, 401, 403, 404, 409, 429);
const reason = Type.Optional(Nullable(Type.String({ maxLength: 1000 })));
const base = { tags: ['offers'], security: bearerSecurity };

export function offerRoutes(app: App, ctx: AppContext): void {
  // 10 offer actions a minute per expert, on the legacy paths as on the Vercel ones.
  const limit = { rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: sessionOrIpKey(ctx) } };
  app.post(
    '/offers/:id/accept',
    {
      config: limit,
      schema: {
        ...base,
        summary: 'Accept a pending Deep Dive offer (starts the SLA; the hold stays)',
        params: IdParams,
        response: { 200: AcceptReply, ...Errors },
      },
    },
    async (req) => acceptOffer(ctx, await requireUser(ctx, req), req.params.id),
  );
  app.post(
    '/offers/:id/decline',
    {
      config: limit,
      preValidation: emptyBodyAsObject,
      schema: {
        ...base,
        summary: 'Decline a pending Deep Dive offer (releases the hold)',
        params: IdParams,
        body: Type.Object({ decline_reason: reason }, { additionalProperties: false }),
        response: { 200: DeclineReply, ...Errors },
      },
    },
    async (req) => declineOffer(ctx, await requireUser(ctx, req), req.params.id, req.body.decline_reason ?? null),
  );
  app.post(
    '/api/offers-accept',
    {
      config: limit,
      schema: {
        ...base,
        summary: 'Accept a pending Deep Dive offer',
        body: Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: { 200: AcceptReply, ...Errors },
      },
    },
    async (req) => acceptOffer(ctx, await requireUser(ctx, req), req.body.id),
  );
  app.post(
    '/api/offers-decline',
    {
      config: limit,
      schema: {
        ...base,
        summary: 'Decline a pending Deep Dive offer (releases the hold)',
        body: Type.Object({ id: Type.Integer({ minimum: 1 }), decline_reason: reason }, { additionalProperties: false }),
        response: { 200: DeclineReply, ...Errors },
      },
    },
    async (req) => declineOffer(ctx, await requireUser(ctx, req), req.body.id, req.body.decline_reason ?? null),
  );
}
