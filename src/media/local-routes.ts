import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import { forbidden, notFound } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody } from '../http/schemas.ts';
import { LOCAL_UPLOAD_PATH, verifyLocalUpload } from '../storage/local.ts';
import { LOCAL_VIDEO_PATH, LOCAL_VIDEO_UPLOAD_PATH, verifyLocalVideoUpload } from '../video/local.ts';
import { sendObject } from './serve.ts';
import { readFilePart } from './upload-routes.ts';
import { acceptLocalUpload, acceptLocalVideoUpload } from './upload-service.ts';
import { isServableKey, OBJECT_PATH } from './urls.ts';

const Errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 416: ErrorBody };
const missing = () => notFound('No file at this address.', 'file_not_found');

/**
 * The routes that stand in for a storage bucket and a video host on the local adapters: signed,
 * expiring upload URLs, and reads of stored objects by key (keys are unguessable, as on a public
 * R2 bucket). With S3 and Cloudflare Stream the browser talks to those services instead.
 */
export async function localRoutes(app: App, ctx: AppContext): Promise<void> {
  const m = ctx.config.media;

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: m.maxAttachmentBytes }, (_req, body, done) => done(null, body));
    scope.put(
      LOCAL_UPLOAD_PATH,
      {
        bodyLimit: m.maxAttachmentBytes,
        schema: {
          hide: true,
          querystring: Type.Record(Type.String(), Type.String()),
          response: { 200: Type.Object({ success: Type.Boolean() }), ...Errors },
        },
      },
      async (req) => {
        const grant = verifyLocalUpload(ctx.uploadSigner, req.query as Record<string, string>, ctx.now());
        if (!grant) throw forbidden('This upload URL is invalid or has expired: ask for a new one.', 'upload_url_invalid');
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        await acceptLocalUpload(ctx, grant, req.headers['content-type'], body);
        return { success: true };
      },
    );
  });

  app.post(
    LOCAL_VIDEO_UPLOAD_PATH,
    {
      schema: {
        hide: true,
        querystring: Type.Record(Type.String(), Type.String()),
        response: { 200: Type.Object({ success: Type.Boolean() }), ...Errors },
      },
    },
    async (req) => {
      const uid = verifyLocalVideoUpload(ctx.uploadSigner, req.query, ctx.now());
      if (!uid) throw forbidden('This upload URL is invalid or has expired: ask for a new one.', 'upload_url_invalid');
      const part = await readFilePart(req, 'file', m.maxVideoBytes, 'video');
      await acceptLocalVideoUpload(ctx, uid, part.data);
      return { success: true };
    },
  );

  app.get(
    `${OBJECT_PATH}/*`,
    { schema: { tags: ['media'], summary: 'A stored object by key (Range supported)', response: { 404: ErrorBody, 416: ErrorBody } } },
    async (req, reply) => {
      const key = (req.params as { '*': string })['*'];
      if (!isServableKey(key)) throw missing();
      return sendObject(reply, req.headers.range, (range) => ctx.storage.get(key, range), missing);
    },
  );

  app.get(
    `${LOCAL_VIDEO_PATH}/:uid`,
    {
      schema: {
        tags: ['media'],
        summary: 'A video of the local video host (Range supported)',
        params: Type.Object({ uid: Type.String({ pattern: '^[0-9a-f]{32}$' }) }),
        querystring: Type.Object({ download: Type.Optional(Type.String()) }),
        response: { 400: ErrorBody, 404: ErrorBody, 416: ErrorBody },
      },
    },
    async (req, reply) =>
      sendObject(reply, req.headers.range, (range) => ctx.video.open(req.params.uid, range), missing, {
        downloadName: req.query.download ? `${req.params.uid}.webm` : undefined,
      }),
  );
}
