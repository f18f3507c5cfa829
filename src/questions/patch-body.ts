/**
 * The legacy client's PATCH /question/{id} body: the fields it may send. The route validates it,
 * the service decides which of them an expert may change (service.patchQuestion).
 */
import { type Static, Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.ts';

export const PatchBody = Type.Object(
  {
    status: Type.Optional(Type.String()),
    pricing_status: Type.Optional(Type.String()),
    checkout_session_id: Type.Optional(Nullable(Type.String())),
    payment_intent_id: Type.Optional(Nullable(Type.String())),
    stripe_payment_intent_id: Type.Optional(Nullable(Type.String())),
    paid_at: Type.Optional(Nullable(Type.Number())),
    answered_at: Type.Optional(Nullable(Type.Number())),
    refunded_at: Type.Optional(Nullable(Type.Number())),
    price_cents: Type.Optional(Nullable(Type.Number())),
    final_price_cents: Type.Optional(Nullable(Type.Number())),
    proposed_price_cents: Type.Optional(Nullable(Type.Number())),
    currency: Type.Optional(Type.String()),
    playback_token_hash: Type.Optional(Nullable(Type.String())),
    review_token: Type.Optional(Nullable(Type.String())),
    hidden: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PatchBodyT = Static<typeof PatchBody>;
