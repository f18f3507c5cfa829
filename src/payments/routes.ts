import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { createPaymentIntent } from './service.ts';

const CreateIntentBody = Type.Object(
  {
    amount: Type.Number({
      maximum: 100_000_000,
      description: 'cents (at most $1,000,000); a float is rounded (the client computes dollars × 100)',
    }),
    currency: Type.Optional(Nullable(Type.String({ maxLength: 3 }))),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    metadata: Type.Optional(Nullable(Type.Record(Type.String(), Type.Unknown()))),
    captureMethod: Type.Optional(Nullable(Type.Literal('manual'))),
    expertHandle: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 60 }))),
    tierType: Type.Optional(Nullable(Type.String())),
    customerEmail: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  },
  { additionalProperties: false },
);

const CreateIntentReply = Type.Object({
  success: Type.Boolean(),
  clientSecret: Type.String(),
  paymentIntentId: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  isMock: Type.Boolean({ description: 'true: the browser skips Stripe.js and submits the id as is' }),
});

export function paymentRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/payments/create-intent',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['payments'],
        summary: 'Start the payment hold for a question (manual capture)',
        body: CreateIntentBody,
        response: { 200: CreateIntentReply, ...errorResponses(400, 404, 409, 429, 502, 503) },
      },
    },
    async (req) => {
      const b = req.body;
      return createPaymentIntent(ctx, {
        amount: b.amount,
        currency: b.currency ?? null,
        description: b.description ?? null,
        metadata: b.metadata ?? {},
        expertHandle: b.expertHandle ?? null,
        tierType: b.tierType ?? null,
        customerEmail: b.customerEmail ?? null,
        clientIp: req.ip,
      });
    },
  );
}
