/**
 * Immediate effect of an erasure on files: between the commit and the outbox worker's delete, a
 * stored object or video of an erased account must already be unreadable through our routes. An
 * onRequest hook maps the media read routes to their object, and answers 410 when the object has
 * a deletion-outbox row from an erasure. (Objects served straight from a public bucket URL are
 * beyond our routes: they go when the worker deletes them, within minutes.)
 */
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { gone } from '../errors.ts';
import { doneKey } from '../file-deletion/queries.ts';
import type { App } from '../http/app-type.ts';
import { keyFromUrl, OBJECT_PATH } from '../media/urls.ts';
import { LOCAL_VIDEO_PATH } from '../video/local.ts';

type Ref = { target: 'storage' | 'video'; key: string };

const DOWNLOADS = new Set(['/api/media/download-audio', '/api/media/download-attachment', '/api/proxy-image']);

/** The object a media read route is about to serve, or null for any other request. */
function objectOfRequest(ctx: AppContext, req: Pick<FastifyRequest, 'method' | 'url' | 'query'>): Ref | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const path = req.url.split('?')[0] ?? '';
  if (path.startsWith(`${OBJECT_PATH}/`)) {
    try {
      return { target: 'storage', key: decodeURIComponent(path.slice(OBJECT_PATH.length + 1)) };
    } catch {
      return null;
    }
  }
  if (path.startsWith(`${LOCAL_VIDEO_PATH}/`)) {
    const uid = path.slice(LOCAL_VIDEO_PATH.length + 1).split('/')[0] ?? '';
    return { target: 'video', key: uid };
  }
  // Only the download routes carry a ?url=; every other GET returns here without parsing a URL.
  if (path !== '/api/media/download-video' && !DOWNLOADS.has(path)) return null;
  const url = new URL(req.url, 'http://x').searchParams.get('url');
  if (!url) return null;
  if (path === '/api/media/download-video') {
    const uid = ctx.video.uidFromUrl(url) ?? url;
    return { target: 'video', key: uid };
  }
  const key = keyFromUrl(ctx, url);
  return key ? { target: 'storage', key } : null;
}

async function isErasedObject(ctx: AppContext, ref: Ref): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('file_deletion_outbox')
    .select('id')
    .where('target', '=', ref.target)
    .where('object_key', 'in', [ref.key, doneKey(ref.key)])
    .where('erasure_id', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}

/** Registered before the media routes, so that their encapsulated scope inherits the hook. */
export function installErasedMediaGuard(app: App, ctx: AppContext): void {
  app.addHook('onRequest', async (req) => {
    const ref = objectOfRequest(ctx, req);
    if (ref && (await isErasedObject(ctx, ref)))
      throw gone('This file was removed together with the account it belonged to.', 'media_erased');
  });
}
