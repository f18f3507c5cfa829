import { type Static, Type } from '@fastify/type-provider-typebox';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { Tier } from '../experts/tiers.ts';
import type { App } from '../http/app-type.ts';
import { hashIp } from '../http/ip-hash.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { createQuestion, type NewQuestionInput } from './create.ts';
import { inboxRoutes } from './inbox-routes.ts';
import { PatchBody } from './patch-body.ts';
import { refundRoutes } from './refund-routes.ts';
import { getOwnedQuestion, patchQuestion, setHidden } from './service.ts';
import { Attachment, ExpertQuestion, ms } from './shapes.ts';

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
const OptText = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));

const commonFields = {
  expertHandle: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  expert_profile_id: Type.Optional(Type.Integer({ minimum: 1 })),
  title: Type.String({ minLength: 1, maxLength: 500 }),
  text: OptText(20_000),
  payerEmail: Email,
  payerFirstName: OptText(200),
  payerLastName: OptText(200),
  media_asset_id: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  attachments: Type.Optional(Nullable(Type.Array(Attachment, { maxItems: 20 }))),
  sla_hours_snapshot: Type.Optional(Nullable(Type.Number({ description: 'ignored: the SLA comes from the tier' }))),
  stripe_payment_intent_id: Type.String({ pattern: '^pi_[A-Za-z0-9_]+$', maxLength: 255 }),
  visit_id: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, description: 'the campaign visit id track-visit returned, for attribution' })),
  ),
};
const QuickConsultBody = Type.Object(commonFields, { additionalProperties: false });
const DeepDiveBody = Type.Object(
  { ...commonFields, proposed_price_cents: Type.Number({ minimum: 1, maximum: 100_000_000 }), asker_message: OptText(5000) },
  { additionalProperties: false },
);
type CreateBody = Static<typeof QuickConsultBody> & { proposed_price_cents?: number; asker_message?: string | null };

const XQuickConsultReply = Type.Object({
  question_id: Type.Integer(),
  final_price_cents: Type.Integer(),
  sla_deadline: Nullable(Type.Number()),
  status: Type.String(),
  review_token: Type.String(),
  playback_token_hash: Type.String({ description: 'legacy name: the review token itself, returned once' }),
});
const XDeepDiveReply = Type.Object({
  question_id: Type.Integer(),
  proposed_price_cents: Type.Integer(),
  status: Type.String({ description: 'the pricing status: offer_pending or offer_declined' }),
  offer_expires_at: Nullable(Type.Number()),
  review_token: Type.String(),
  playback_token_hash: Type.String(),
});
const VReply = Type.Object({
  success: Type.Boolean(),
  data: Type.Object({
    questionId: Type.Integer(),
    id: Type.Integer(),
    review_token: Type.String(),
    status: Type.String(),
    pricing_status: Type.String(),
    sla_deadline: Nullable(Type.Number()),
    offer_expires_at: Nullable(Type.Number()),
    final_price_cents: Nullable(Type.Integer()),
    proposed_price_cents: Nullable(Type.Integer()),
  }),
});
const CreateErrors = errorResponses(400, 404, 409, 422, 429, 503);

function toInput(tier: Tier, b: CreateBody, ipHash: string): NewQuestionInput {
  return {
    tier,
    visitId: b.visit_id ?? null,
    ipHash,
    expertHandle: b.expertHandle ?? null,
    expertProfileId: b.expert_profile_id ?? null,
    title: b.title.trim() || b.title,
    text: b.text ?? null,
    payerEmail: b.payerEmail.trim().toLowerCase(),
    payerFirstName: b.payerFirstName ?? null,
    payerLastName: b.payerLastName ?? null,
    mediaAssetId: b.media_asset_id ? b.media_asset_id : null,
    attachments: (b.attachments ?? []).map((a) => ({
      name: a.name ?? null,
      url: a.url ?? null,
      size: a.size ?? null,
      type: a.type ?? null,
    })),
    intentId: b.stripe_payment_intent_id,
    proposedPriceCents: b.proposed_price_cents === undefined ? null : Math.round(b.proposed_price_cents),
    askerMessage: b.asker_message ?? null,
  };
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function questionRoutes(app: App, ctx: AppContext): void {
  inboxRoutes(app, ctx);
  refundRoutes(app, ctx);
  // Each submission verifies a payment hold at the provider: a per-IP limit keeps guessed intent ids from hammering it.
  const config = { rateLimit: { max: ctx.config.questionLimitPerMinute, timeWindow: 60_000 } };
  for (const tier of ['quick_consult', 'deep_dive'] as const) {
    const slug = tier === 'quick_consult' ? 'quick-consult' : 'deep-dive';
    const body = tier === 'quick_consult' ? QuickConsultBody : DeepDiveBody;
    const tags = ['questions'];
    app.post(
      `/question/${slug}`,
      {
        config,
        schema: {
          tags,
          summary: `Ask a ${slug} question (Xano inputs: payer_email, payer_first_name…; 200; a reused payment 400)`,
          body,
          response: { 200: tier === 'quick_consult' ? XQuickConsultReply : XDeepDiveReply, ...CreateErrors },
        },
      },
      async (req) => {
        const { question: q, reviewToken } = await createQuestion(
          ctx,
          toInput(tier, req.body as CreateBody, hashIp(ctx.config.ipHashSecret, req.ip)),
        );
        return tier === 'quick_consult'
          ? {
              question_id: q.id,
              final_price_cents: q.final_price_cents ?? q.price_cents,
              sla_deadline: ms(q.sla_deadline),
              status: q.status,
              review_token: reviewToken,
              playback_token_hash: reviewToken,
            }
          : {
              question_id: q.id,
              proposed_price_cents: q.proposed_price_cents ?? q.price_cents,
              status: q.pricing_status,
              offer_expires_at: ms(q.offer_expires_at),
              review_token: reviewToken,
              playback_token_hash: reviewToken,
            };
      },
    );
    app.post(
      `/api/questions/${slug}`,
      {
        config,
        schema: { tags, summary: `Ask a ${slug} question; the payment hold is verified`, body, response: { 201: VReply, ...CreateErrors } },
      },
      async (req, reply) => {
        const { question: q, reviewToken } = await createQuestion(
          ctx,
          toInput(tier, req.body as CreateBody, hashIp(ctx.config.ipHashSecret, req.ip)),
        );
        reply.status(201);
        return {
          success: true,
          data: {
            questionId: q.id,
            id: q.id,
            review_token: reviewToken,
            status: q.status,
            pricing_status: q.pricing_status,
            sla_deadline: ms(q.sla_deadline),
            offer_expires_at: ms(q.offer_expires_at),
            final_price_cents: q.final_price_cents,
            proposed_price_cents: q.proposed_price_cents,
          },
        };
      },
    );
  }

  const ownerSchema = { tags: ['questions'], security: bearerSecurity };
  app.get(
    '/question/:id',
    {
      schema: {
        ...ownerSchema,
        summary: 'One of my questions',
        params: IdParams,
        response: { 200: ExpertQuestion, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => getOwnedQuestion(ctx, await requireUser(ctx, req), req.params.id),
  );
  app.patch(
    '/question/:id',
    {
      schema: {
        ...ownerSchema,
        summary: 'Legacy update: only `hidden` changes; flow-controlled fields must equal their stored value (else 409)',
        params: IdParams,
        body: PatchBody,
        response: { 200: ExpertQuestion, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => patchQuestion(ctx, await requireUser(ctx, req), req.params.id, req.body),
  );
  app.post(
    '/question/hidden',
    {
      schema: {
        ...ownerSchema,
        summary: 'Hide or unhide one of my questions',
        body: Type.Object({ question_id: Type.Integer({ minimum: 1 }), hidden: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ success: Type.Boolean(), question_id: Type.Integer(), hidden: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (req) => setHidden(ctx, await requireUser(ctx, req), req.body.question_id, req.body.hidden),
  );
}
