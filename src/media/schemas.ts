import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { optionalUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { hashIp } from '../http/ip-hash.ts';
import { ErrorBody } from '../http/schemas.ts';
import type { Uploader } from './upload-service.ts';

/** A refused upload names the type its bytes were found to be (415 content_type_mismatch). */
const UploadRefused = Type.Object({ ...ErrorBody.properties, detected: Type.Optional(Type.String()) });
const UploadErrors = { 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: UploadRefused, 422: ErrorBody, 429: ErrorBody };

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
  return { userId, ipHash: hashIp(ctx.config.ipHashSecret, req.ip) };
}

export function uploadRateLimit(ctx: AppContext) {
  return { rateLimit: { max: ctx.config.media.uploadRateLimitPerMinute, timeWindow: 60_000 } };
}

const ok = <T extends Parameters<typeof Type.Object>[0]>(data: T) => Type.Object({ success: Type.Boolean(), data: Type.Object(data) });

/** The upload routes' schemas, one per route (the handlers are in upload-routes.ts). */
export const UploadSchemas = {
  videoUploadUrl: {
    tags: ['media'],
    summary: 'A one-time direct-upload URL for a video recording (browser POSTs multipart field "file")',
    body: Type.Optional(
      Type.Object({ maxDurationSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 3600 })) }, { additionalProperties: false }),
    ),
    response: { 200: ok({ uploadURL: Type.String(), uid: Type.String() }), ...UploadErrors },
  },
  video: {
    tags: ['media'],
    summary: 'Upload a WebM recording segment sent as base64',
    body: Type.Object(
      {
        videoBase64: Type.String({ minLength: 1 }),
        recordingMode: Type.Optional(Type.Union([Type.Literal('video'), Type.Literal('audio'), Type.Literal('screen')])),
        segmentIndex: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
        duration: Type.Optional(Type.Number({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    response: {
      200: ok({
        uid: Type.String(),
        playbackUrl: Type.String(),
        thumbnail: Type.String(),
        duration: Type.Number(),
        mode: Type.String(),
        segmentIndex: Type.Integer(),
        size: Type.Integer(),
        status: Type.String(),
      }),
      ...UploadErrors,
    },
  },
  audio: {
    tags: ['media'],
    summary: 'Upload an audio-only recording segment as the raw body (Content-Type audio/webm, …)',
    response: {
      200: ok({ uid: Type.String(), playbackUrl: Type.String(), mode: Type.String(), size: Type.Integer(), fileName: Type.String() }),
      ...UploadErrors,
    },
  },
  attachmentUploadUrl: {
    tags: ['media'],
    summary: 'A presigned PUT URL (1 h) for one attachment',
    body: Type.Object(
      {
        filename: Type.String({ minLength: 1, maxLength: 255 }),
        contentType: Type.String({ minLength: 3, maxLength: 255 }),
        size: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    response: {
      200: ok({ uploadUrl: Type.String(), publicUrl: Type.String(), key: Type.String(), expiresIn: Type.Integer() }),
      ...UploadErrors,
    },
  },
  attachment: {
    tags: ['media'],
    summary: 'Upload one attachment as multipart field "file"',
    response: {
      200: ok({ name: Type.String(), url: Type.String(), type: Type.String(), size: Type.Integer(), key: Type.String() }),
      ...UploadErrors,
    },
  },
  profilePicture: {
    tags: ['media'],
    summary: 'Upload a profile picture as multipart field "image" (webp, png, jpeg, gif)',
    response: { 200: Type.Object({ success: Type.Boolean(), url: Type.String() }), ...UploadErrors },
  },
  enableDownloads: {
    tags: ['media'],
    summary: 'Turn on MP4 downloads of an uploaded video (answers at once)',
    body: Type.Object({ videoId: Type.String({ pattern: '^[0-9a-f]{32}$' }) }, { additionalProperties: false }),
    response: {
      200: Type.Object({ success: Type.Boolean(), downloadsEnabled: Type.Boolean() }),
      404: ErrorBody,
      400: ErrorBody,
      429: ErrorBody,
    },
  },
};
