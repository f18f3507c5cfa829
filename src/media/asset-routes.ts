import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity, optionalUser, requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody, MediaAsset, NullableUnion as Nullable } from '../http/schemas.ts';
import { getMediaAsset, registerMediaAsset, removeMediaAsset } from './asset-service.ts';
import { uploadRateLimit } from './schemas.ts';

const Status = Type.Union([Type.Literal('processing'), Type.Literal('uploading'), Type.Literal('ready'), Type.Literal('failed')]);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function assetRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/media_asset',
    {
      schema: {
        tags: ['media'],
        summary:
          'Register uploaded recording segments as one media asset (token optional: anonymous askers may register their own fresh uploads)',
        body: Type.Object(
          {
            provider: Type.Union([Type.Literal('cloudflare_stream'), Type.Literal('cloudflare_r2')]),
            asset_id: Type.String({ minLength: 1, maxLength: 512 }),
            // Bounded to what the integer columns hold (a larger value was a 500).
            duration_sec: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 86_400 }))),
            status: Type.Optional(Status),
            url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
            metadata: Type.Optional(Nullable(Type.Union([Type.String({ maxLength: 65536 }), Type.Object({})]))),
            segment_index: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1000 }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: MediaAsset, 400: ErrorBody, 422: ErrorBody, 429: ErrorBody },
      },
      config: uploadRateLimit(ctx),
    },
    async (req) => {
      // Never a 401 here: the asker has no account, and a 401 makes the legacy client log out.
      let userId: number | null = null;
      try {
        userId = (await optionalUser(ctx, req))?.id ?? null;
      } catch {
        userId = null;
      }
      return registerMediaAsset(ctx, userId, req.body);
    },
  );

  app.get(
    '/media_asset/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'A media asset of a question you received, an answer you wrote, or an upload of yours',
        security: bearerSecurity,
        params: IdParams,
        response: { 200: MediaAsset, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => getMediaAsset(ctx, (await requireUser(ctx, req)).id, req.params.id),
  );

  app.delete(
    '/media_asset/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'Delete an unreferenced media asset of yours and its files',
        security: bearerSecurity,
        params: IdParams,
        response: {
          200: Type.Object({ success: Type.Boolean(), id: Type.Integer() }),
          400: ErrorBody,
          401: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (req) => removeMediaAsset(ctx, (await requireUser(ctx, req)).id, req.params.id),
  );
}
