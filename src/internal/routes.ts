import { type TSchema, Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, MediaAsset, Nullable } from '../http/schemas.ts';
import { emptyBodyAsObject } from '../questions/shapes.ts';
import { requireInternalKey } from './guard.ts';
import { cleanupTestData, digestPendingQuestions, expiredSlas, expireNow, mediaInventory, pendingOffers, userContact } from './service.ts';
import { simulateRoutes } from './simulate-routes.ts';

const Key = Type.Optional(Type.String({ maxLength: 500, description: 'INTERNAL_API_KEY (query or body)' }));
const KeyQuery = Type.Object({ x_api_key: Key });
const KeyBody = Type.Object({ x_api_key: Key }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Ms = Nullable(Type.Number());
const Errors = errorResponses(401, 403, 404, 409);
const tags = ['internal'];

const DigestItem = Type.Object({
  question: Type.Object({
    id: Type.Integer(),
    expert_profile_id: Type.Integer(),
    title: Type.String(),
    payer_first_name: Nullable(Type.String()),
    price_cents: Type.Integer(),
    currency: Type.String(),
    created_at: Type.Number(),
    sla_hours_snapshot: Nullable(Type.Integer()),
    sla_deadline: Ms,
    time_remaining_seconds: Type.Integer({ description: '-1 when the question has no deadline' }),
  }),
  user_email: Type.String({ description: "the expert's e-mail (the digest's recipient)" }),
  user_name: Type.String(),
});
const ListItem = Type.Object({
  id: Type.Integer(),
  expert_profile_id: Type.Integer(),
  title: Type.String(),
  question_tier: Type.String(),
  status: Type.String(),
  pricing_status: Type.String(),
  price_cents: Type.Integer(),
  proposed_price_cents: Nullable(Type.Integer()),
  created_at: Type.Number(),
  offer_expires_at: Ms,
  sla_deadline: Ms,
});
const ExpireReply = Type.Object({
  success: Type.Boolean(),
  question_id: Type.Integer(),
  status: Type.String(),
  pricing_status: Type.String(),
  decline_reason: Nullable(Type.String()),
});
const Attachments = Type.Unknown({ description: 'JSON [{name,url,size,type}]' });
const MediaReply = Type.Object({
  media_assets: Type.Array(MediaAsset),
  avatars: Type.Array(Type.Object({ expert_profile_id: Type.Integer(), avatar_url: Type.String() })),
  questions: Type.Array(Type.Object({ id: Type.Integer(), media_asset_id: Nullable(Type.Integer()), attachments: Attachments })),
  answers: Type.Array(
    Type.Object({ id: Type.Integer(), question_id: Type.Integer(), media_asset_id: Nullable(Type.Integer()), attachments: Attachments }),
  ),
  magic_link_tokens: Type.Array(
    Type.Object({ id: Type.Integer(), expires_at: Type.Number(), used: Type.Boolean(), used_at: Ms, created_at: Type.Number() }),
  ),
});
const CleanupReply = Type.Object({
  success: Type.Boolean(),
  deleted_questions: Type.Integer(),
  question_ids: Type.Array(Type.Integer()),
  counts: Type.Record(Type.String(), Type.Integer()),
});

/** The legacy internal/cron endpoints (§2.10), behind INTERNAL_API_KEY. */
export function internalRoutes(app: App, ctx: AppContext): void {
  const get = (url: string, summary: string, reply: TSchema, run: (req: { params: unknown }) => Promise<unknown>, params?: TSchema) =>
    app.get(
      url,
      { schema: { tags, summary, querystring: KeyQuery, ...(params ? { params } : {}), response: { 200: reply, ...Errors } } },
      async (req) => {
        requireInternalKey(ctx, req);
        return run(req);
      },
    );
  get('/internal/digest/pending-questions', 'Pending questions of experts with the digest on', Type.Array(DigestItem), () =>
    digestPendingQuestions(ctx),
  );
  get(
    '/internal/user/:id/email',
    "A user's e-mail and name",
    Type.Object({ email: Type.String(), name: Type.String() }),
    (req) => userContact(ctx, (req.params as { id: number }).id),
    IdParams,
  );
  get('/questions/pending-offers', 'Deep Dive offers awaiting a decision', Type.Array(ListItem), () => pendingOffers(ctx));
  get('/questions/expired-sla', 'Unanswered questions past their SLA deadline', Type.Array(ListItem), () => expiredSlas(ctx));
  get('/internal/media', 'What a media cleanup needs: media rows and their references (no tokens or e-mails)', MediaReply, () =>
    mediaInventory(ctx),
  );

  for (const kind of ['offer', 'sla'] as const) {
    app.post(
      `/question/:id/expire-${kind}`,
      {
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary: `Expire this ${kind === 'offer' ? 'offer' : 'SLA'} now if it is due (declined, hold released, asker e-mailed)`,
          params: IdParams,
          querystring: KeyQuery,
          body: KeyBody,
          response: { 200: ExpireReply, ...Errors },
        },
      },
      async (req) => {
        requireInternalKey(ctx, req);
        return expireNow(ctx, kind, req.params.id);
      },
    );
  }
  app.delete(
    '/internal/test-data/cleanup',
    {
      schema: {
        tags,
        summary: 'Delete the questions paid with pi_test_ intents and all they own (PAYMENTS=simulated only)',
        querystring: KeyQuery,
        response: { 200: CleanupReply, ...Errors },
      },
    },
    async (req) => {
      requireInternalKey(ctx, req);
      return cleanupTestData(ctx);
    },
  );
  simulateRoutes(app, ctx);
}
