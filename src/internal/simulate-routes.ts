import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses } from '../http/schemas.ts';
import { simulateHoldExpiry } from '../provider-events/service.ts';
import { requireInternalKey } from './guard.ts';

const Body = Type.Object(
  {
    question_id: Type.Integer({ minimum: 1 }),
    x_api_key: Type.Optional(Type.String({ maxLength: 500, description: 'INTERNAL_API_KEY (query or body)' })),
  },
  { additionalProperties: false },
);

/** Provider events the simulated payment provider can play, behind the internal key. */
export function simulateRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/payments/simulate/hold-expired',
    {
      schema: {
        tags: ['internal'],
        summary: "Let a question's card hold expire now, as the provider would after PAYMENT_HOLD_HOURS (PAYMENTS=simulated only)",
        querystring: Type.Object({ x_api_key: Type.Optional(Type.String({ maxLength: 500 })) }),
        body: Body,
        response: {
          200: Type.Object({ success: Type.Boolean(), question_id: Type.Integer(), applied: Type.Boolean() }),
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (req) => {
      requireInternalKey(ctx, req);
      return simulateHoldExpiry(ctx, req.body.question_id);
    },
  );
}
