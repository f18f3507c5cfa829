import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { UploadSchemas as S, uploaderOf, uploadRateLimit } from './schemas.ts';
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

/** The legacy upload routes (schemas in schemas.ts); each is rate-limited per IP. */
export async function uploadRoutes(app: App, ctx: AppContext): Promise<void> {
  const m = ctx.config.media;
  const config = uploadRateLimit(ctx);

  app.post('/api/media/get-upload-url', { schema: S.videoUploadUrl, config }, async (req) => ({
    success: true,
    data: await requestVideoUpload(ctx, await uploaderOf(ctx, req), req.body?.maxDurationSeconds),
  }));

  app.post('/api/media/upload-video', { bodyLimit: Math.ceil((m.maxVideoBytes * 4) / 3) + 4096, schema: S.video, config }, async (req) => ({
    success: true,
    data: await uploadVideoBase64(ctx, await uploaderOf(ctx, req), req.body),
  }));

  // Raw audio bodies (≥ 50 MB): a raw parser on this route only, with its own limit.
  await app.register(async (scope) => {
    // Every body is read raw here; the service answers 415 for anything but an accepted audio type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: m.maxAudioBytes }, (_req, body, done) => done(null, body));
    scope.post('/api/media/upload-audio', { bodyLimit: m.maxAudioBytes, schema: S.audio, config }, async (req) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      return { success: true, data: await uploadAudio(ctx, await uploaderOf(ctx, req), req.headers['content-type'], body) };
    });
  });

  app.post('/api/media/get-attachment-upload-url', { schema: S.attachmentUploadUrl, config }, async (req) => ({
    success: true,
    data: await requestAttachmentUpload(ctx, await uploaderOf(ctx, req), req.body),
  }));

  app.post('/api/media/upload-attachment', { schema: S.attachment, config }, async (req) => {
    const part = await readFilePart(req, 'file', m.maxAttachmentBytes, 'attachment');
    const file = { filename: part.filename, contentType: part.mimetype, data: part.data };
    return { success: true, data: await uploadAttachment(ctx, await uploaderOf(ctx, req), file) };
  });

  app.post('/api/upload/profile-picture', { schema: S.profilePicture, config }, async (req) => {
    const part = await readFilePart(req, 'image', m.maxImageBytes, 'image');
    const r = await uploadProfilePicture(ctx, await uploaderOf(ctx, req), { contentType: part.mimetype, data: part.data });
    return { success: true, url: r.url };
  });

  app.post('/api/media/enable-downloads', { schema: S.enableDownloads, config }, async (req) => ({
    success: true,
    ...(await enableDownloads(ctx, req.body.videoId)),
  }));
}
