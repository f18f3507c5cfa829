import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, MediaAsset, Nullable } from '../http/schemas.ts';
import { getReview, submitFeedback } from './service.ts';

const Token = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
const N = Nullable;
const Review = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  text: N(Type.String()),
  created_at: Type.Number(),
  question_tier: Type.String(),
  price_cents: Type.Integer(),
  final_price_cents: N(Type.Integer()),
  proposed_price_cents: N(Type.Integer()),
  currency: Type.String(),
  status: Type.String(),
  pricing_status: Type.String(),
  decline_reason: N(Type.String()),
  asker_message: N(Type.String()),
  offer_expires_at: N(Type.Number()),
  sla_hours_snapshot: N(Type.Integer()),
  sla_deadline: N(Type.Number()),
  answered_at: N(Type.Number()),
  attachments: N(Type.String({ description: 'JSON text of [{name,url,size,type}] (the page parses it)' })),
  media_asset: Type.Array(MediaAsset),
  media_asset_answer: N(Type.Array(MediaAsset)),
  answer: N(
    Type.Object({
      id: Type.Integer(),
      created_at: Type.Number(),
      sent_at: N(Type.Number()),
      text_response: N(Type.String()),
      media_asset_id: N(Type.Integer()),
      attachments: N(Type.String()),
      rating: N(Type.Integer()),
      feedback_text: N(Type.String()),
      feedback_at: N(Type.Number()),
      allow_testimonial: Type.Boolean(),
    }),
  ),
  expert_profile: Type.Object({ handle: N(Type.String()), avatar_url: N(Type.String()), professional_title: N(Type.String()) }),
  user: Type.String({ description: "the expert's name" }),
  playback_token_hash: Type.String({ description: 'legacy name of the review token: the link holder gets it back (§6 check 7)' }),
});

export function reviewRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/review/:token',
    {
      schema: {
        tags: ['review'],
        summary: "The asker's view of a question and its answer (review token)",
        params: Token,
        response: { 200: Review, ...errorResponses(400, 404, 410) },
      },
    },
    async (req) => ({ ...(await getReview(ctx, req.params.token)), playback_token_hash: req.params.token }),
  );
  app.post(
    '/review/:token/feedback',
    {
      schema: {
        tags: ['review'],
        summary: 'Rate the answer (1–5, once)',
        params: Token,
        body: Type.Object(
          {
            rating: Type.Integer({ minimum: 1, maximum: 5 }),
            feedback_text: Type.Optional(N(Type.String({ maxLength: 5000 }))),
            allow_testimonial: Type.Optional(N(Type.Boolean())),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            success: Type.Boolean(),
            rating: Type.Integer(),
            feedback_text: N(Type.String()),
            feedback_at: Type.Number(),
          }),
          ...errorResponses(400, 404, 409, 410),
        },
      },
    },
    async (req) =>
      submitFeedback(ctx, req.params.token, {
        rating: req.body.rating,
        text: req.body.feedback_text?.trim() || null,
        allowTestimonial: req.body.allow_testimonial ?? false,
      }),
  );
}
