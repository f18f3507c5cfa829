import type { MultipartFile } from '@fastify/multipart';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody } from '../http/schemas.ts';
import { UploadErrors, uploaderOf, uploadRateLimit } from './schemas.ts';
import {
  enableDownloads,
  requestAttachmentUpload,
  requestVideoUpload,
  tooLarge,
  uploadAttachment,
  uploadAudio,
  uploadProfilePicture,
  uploadVideoBase64,
} from './upload-service.ts';

const ok = <T extends Parameters<typeof Type.Object>[0]>(data: T) => Type.Object({ success: Type.Boolean(), data: Type.Object(data) });

/** Reads one multipart file field into memory, with a 413 past `max` bytes. */
export async function readFilePart(
  req: FastifyRequest,
  field: string,
  max: number,
  what: string,
): Promise<MultipartFile & { data: Buffer }> {
  const part = await req.file({ limits: { fileSize: max, files: 1 } }).catch(() => undefined);
  if (!part || part.fieldname !== field) throw badRequest(`Send the file as multipart/form-data field "${field}".`, 'missing_file');
  const data = await part.toBuffer().catch((err: { code?: string }) => {
    if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(what, max);
    throw err;
  });
  if (part.file.truncated) throw tooLarge(what, max);
  return Object.assign(part, { data });
}

export async function uploadRoutes(app: App, ctx: AppContext): Promise<void> {
  const m = ctx.config.media;
  const config = uploadRateLimit(ctx);

  app.post(
    '/api/media/get-upload-url',
    {
      schema: {
        tags: ['media'],
        summary: 'A one-time direct-upload URL for a video recording (browser POSTs multipart field "file")',
        body: Type.Optional(
          Type.Object({ maxDurationSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 3600 })) }, { additionalProperties: false }),
        ),
        response: { 200: ok({ uploadURL: Type.String(), uid: Type.String() }), ...UploadErrors },
      },
      config,
    },
    async (req) => {
      const max = Math.round(req.body?.maxDurationSeconds ?? 90);
      return { success: true, data: await requestVideoUpload(ctx, await uploaderOf(ctx, req), max) };
    },
  );

  app.post(
    '/api/media/upload-video',
    {
      bodyLimit: Math.ceil((m.maxVideoBytes * 4) / 3) + 4096,
      schema: {
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
      config,
    },
    async (req) => ({ success: true, data: await uploadVideoBase64(ctx, await uploaderOf(ctx, req), req.body) }),
  );

  // Raw audio bodies (≥ 50 MB): a raw parser on this route only, with its own limit.
  await app.register(async (scope) => {
    // Every body is read raw here; the service answers 415 for anything but an accepted audio type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: m.maxAudioBytes }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/media/upload-audio',
      {
        bodyLimit: m.maxAudioBytes,
        schema: {
          tags: ['media'],
          summary: 'Upload an audio-only recording segment as the raw body (Content-Type audio/webm, …)',
          response: {
            200: ok({ uid: Type.String(), playbackUrl: Type.String(), mode: Type.String(), size: Type.Integer(), fileName: Type.String() }),
            ...UploadErrors,
          },
        },
        config,
      },
      async (req) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return { success: true, data: await uploadAudio(ctx, await uploaderOf(ctx, req), req.headers['content-type'], body) };
      },
    );
  });

  app.post(
    '/api/media/get-attachment-upload-url',
    {
      schema: {
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
      config,
    },
    async (req) => ({ success: true, data: await requestAttachmentUpload(ctx, await uploaderOf(ctx, req), req.body) }),
  );

  app.post(
    '/api/media/upload-attachment',
    {
      schema: {
        tags: ['media'],
        summary: 'Upload one attachment as multipart field "file"',
        response: {
          200: ok({ name: Type.String(), url: Type.String(), type: Type.String(), size: Type.Integer(), key: Type.String() }),
          ...UploadErrors,
        },
      },
      config,
    },
    async (req) => {
      const part = await readFilePart(req, 'file', m.maxAttachmentBytes, 'attachment');
      const data = await uploadAttachment(ctx, await uploaderOf(ctx, req), {
        filename: part.filename,
        contentType: part.mimetype,
        data: part.data,
      });
      return { success: true, data };
    },
  );

  app.post(
    '/api/upload/profile-picture',
    {
      schema: {
        tags: ['media'],
        summary: 'Upload a profile picture as multipart field "image" (webp, png, jpeg, gif)',
        response: { 200: Type.Object({ success: Type.Boolean(), url: Type.String() }), ...UploadErrors },
      },
      config,
    },
    async (req) => {
      const part = await readFilePart(req, 'image', m.maxImageBytes, 'image');
      const r = await uploadProfilePicture(ctx, await uploaderOf(ctx, req), { contentType: part.mimetype, data: part.data });
      return { success: true, url: r.url };
    },
  );

  app.post(
    '/api/media/enable-downloads',
    {
      schema: {
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
      config,
    },
    async (req) => ({ success: true, ...(await enableDownloads(ctx, req.body.videoId)) }),
  );
}
