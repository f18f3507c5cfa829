import type { AppContext } from '../context.ts';
import { assertKey } from '../storage/storage.ts';
import { QUARANTINE_PREFIX } from './keys.ts';

/** Route that serves stored objects by key when no public storage URL is configured. */
export const OBJECT_PATH = '/api/media/object';

function bases(ctx: Pick<AppContext, 'config'>): string[] {
  const own = `${ctx.config.publicUrl}${OBJECT_PATH}`;
  return ctx.config.media.storagePublicUrl ? [ctx.config.media.storagePublicUrl, own] : [own];
}

/** The URL a browser reads an object from (the first base: public storage if configured). */
export function objectUrl(ctx: Pick<AppContext, 'config'>, key: string): string {
  return `${bases(ctx)[0]}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Never served, never proxied: the quarantine and the local video host's own files. */
export function isServableKey(key: string): boolean {
  try {
    assertKey(key);
  } catch {
    return false;
  }
  return !key.startsWith(QUARANTINE_PREFIX) && !key.startsWith('video/');
}

/** The storage key behind one of our object URLs, or null when the URL is not ours. */
export function keyFromUrl(ctx: AppContext, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  for (const base of bases(ctx)) {
    const b = new URL(base);
    const path = b.pathname.replace(/\/+$/, '');
    if (u.origin === b.origin && u.pathname.startsWith(`${path}/`)) {
      let key: string;
      try {
        key = decodeURIComponent(u.pathname.slice(path.length + 1));
      } catch {
        return null;
      }
      return isServableKey(key) ? key : null;
    }
  }
  return null;
}
