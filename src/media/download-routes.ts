import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody } from '../http/schemas.ts';
import { DownloadsNotEnabledError } from '../video/cloudflare-stream.ts';
import { hostAllowed, RefusedUrlError, safeFetch } from './safe-fetch.ts';
import { sendObject } from './serve.ts';
import { keyFromUrl } from './urls.ts';

const Query = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  filename: Type.Optional(Type.String({ maxLength: 255 })),
});
const Errors = { 400: ErrorBody, 404: ErrorBody, 416: ErrorBody, 424: ErrorBody, 429: ErrorBody, 502: ErrorBody };
const missing = () => notFound('No file at this address.', 'file_not_found');
const refused = (why: string) => badRequest(`This URL cannot be fetched: ${why}`, 'url_not_allowed');

/** Passes a vetted remote response through, keeping Range semantics and a safe content type. */
async function proxyRemote(ctx: AppContext, reply: FastifyReply, url: string, range: string | undefined, imageOnly: boolean) {
  let res: Awaited<ReturnType<typeof safeFetch>>;
  try {
    res = await safeFetch(url, {
      allowHost: (h) => hostAllowed(ctx.config.media.proxyAllowedHosts, h),
      headers: range ? { range } : {},
    });
  } catch (err) {
    if (err instanceof RefusedUrlError) throw refused(err.message);
    throw new HttpError(502, 'upstream_failed', 'The file host did not answer: try again later.');
  }
  const type = String(res.headers['content-type'] ?? 'application/octet-stream');
  if (res.status === 404) {
    res.body.resume();
    throw missing();
  }
  if (res.status !== 200 && res.status !== 206) {
    res.body.resume();
    throw new HttpError(502, 'upstream_failed', `The file host answered ${res.status}.`);
  }
  if (imageOnly && !/^image\/(png|jpeg|gif|webp)$/i.test(type.split(';')[0] ?? '')) {
    res.body.resume();
    throw new HttpError(415, 'unsupported_media_type', 'The URL is not a PNG, JPEG, GIF or WebP image.');
  }
  reply.status(res.status);
  for (const h of ['content-length', 'content-range', 'accept-ranges'] as const) {
    const v = res.headers[h];
    if (typeof v === 'string') reply.header(h, v);
  }
  reply.header('content-type', type);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  return reply.send(res.body);
}

/**
 * Downloads and the image proxy serve only our own storage's keys and our video host's uids,
 * or hosts on MEDIA_PROXY_ALLOWED_HOSTS fetched through safeFetch — never an arbitrary URL.
 */
export function downloadRoutes(app: App, ctx: AppContext): void {
  const config = { rateLimit: { max: 120, timeWindow: 60_000 } };
  const storageOrRemote =
    (kind: 'audio' | 'attachment' | 'image') =>
    async (
      req: { query: { url: string; filename?: string | undefined }; headers: { range?: string | undefined } },
      reply: FastifyReply,
    ) => {
      const key = keyFromUrl(ctx, req.query.url);
      if (key) {
        const prefix = kind === 'audio' ? 'audio/' : kind === 'image' ? 'profiles/' : null;
        if (prefix && !key.startsWith(prefix) && !(kind === 'image' && key.startsWith('attachments/'))) throw missing();
        return sendObject(reply, req.headers.range, (r) => ctx.storage.get(key, r), missing, {
          downloadName: kind === 'image' ? undefined : (req.query.filename ?? key.split('/').pop()),
        });
      }
      return proxyRemote(ctx, reply, req.query.url, req.headers.range, kind === 'image');
    };

  app.get(
    '/api/media/download-video',
    {
      schema: { tags: ['media'], summary: 'Download a recorded video (MP4) by its download URL', querystring: Query, response: Errors },
      config,
    },
    async (req, reply) => {
      const uid = ctx.video.uidFromUrl(req.query.url) ?? (/^[0-9a-f]{32}$/.test(req.query.url) ? req.query.url : null);
      if (!uid) throw refused('only videos of our video host are downloaded.');
      try {
        return await sendObject(reply, req.headers.range, (r) => ctx.video.open(uid, r), missing, {
          downloadName: req.query.filename ?? `${uid}.${ctx.video.kind === 'local' ? 'webm' : 'mp4'}`,
        });
      } catch (err) {
        if (err instanceof DownloadsNotEnabledError) {
          throw new HttpError(
            424,
            'downloads_not_enabled',
            'Downloads are not enabled for this video yet: enable them and retry in a minute.',
          );
        }
        throw err;
      }
    },
  );
  app.get(
    '/api/media/download-audio',
    { schema: { tags: ['media'], summary: 'Download a recorded audio segment', querystring: Query, response: Errors }, config },
    storageOrRemote('audio'),
  );
  app.get(
    '/api/media/download-attachment',
    { schema: { tags: ['media'], summary: 'Download an attachment (Range supported)', querystring: Query, response: Errors }, config },
    storageOrRemote('attachment'),
  );
  app.get(
    '/api/proxy-image',
    {
      schema: {
        tags: ['media'],
        summary: 'An image from our storage or an allowed host (re-editing an avatar)',
        querystring: Query,
        response: Errors,
      },
      config,
    },
    storageOrRemote('image'),
  );
}
