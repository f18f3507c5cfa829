import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { optionalUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { ErrorBody } from '../http/schemas.ts';
import { hashIp, type Uploader } from './upload-service.ts';

/** A refused upload names the type its bytes were found to be (415 content_type_mismatch). */
const UploadRefused = Type.Object({ ...ErrorBody.properties, detected: Type.Optional(Type.String()) });
export const UploadErrors = { 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: UploadRefused, 422: ErrorBody, 429: ErrorBody };

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
