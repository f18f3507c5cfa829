import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { optionalUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { hashIp, type Uploader } from './upload-service.ts';

export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String(), code: Type.String() });
/** A refused upload names the type its bytes were found to be (415 content_type_mismatch). */
const UploadRefused = Type.Object({
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  detected: Type.Optional(Type.String()),
});
/** A 429 also carries retryAfter (seconds), as on every other limited route. */
export const RateLimited = Type.Object({
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  retryAfter: Type.Optional(Type.Number()),
});
export const UploadErrors = { 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: UploadRefused, 422: ErrorBody, 429: RateLimited };

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const MediaAsset = Type.Object({
  id: Type.Integer(),
  provider: Type.String(),
  asset_id: Type.String(),
  url: Nullable(Type.String()),
  duration_sec: Nullable(Type.Number()),
  status: Type.String(),
  metadata: Type.Unknown(),
  segment_index: Nullable(Type.Integer()),
  created_at: Type.Number(),
});

/**
 * The legacy upload routes carry no session; a token, when one is sent, only records who uploaded.
 * A bad token is ignored rather than answered with 401, which would log the visitor out.
 */
export async function uploaderOf(ctx: AppContext, req: FastifyRequest): Promise<Uploader> {
  let userId: number | null = null;
  try {
    userId = (await optionalUser(ctx, req))?.id ?? null;
  } catch {
    userId = null;
  }
  return { userId, ipHash: hashIp(ctx, req.ip) };
}

export function uploadRateLimit(ctx: AppContext) {
  return { rateLimit: { max: ctx.config.media.uploadRateLimitPerMinute, timeWindow: 60_000 } };
}
