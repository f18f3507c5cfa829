/**
 * The legacy client calls Xano groups as `/api:<group>/path` (e.g. `/api:3B14WLbJ/me/profile`).
 * All groups are served by one router, so the prefix is simply removed before routing. The
 * colon would otherwise be read as a route parameter marker. A bare group (`/api:<group>`) is no
 * route: it is left as is, so that it answers a JSON 404 and never the client's index page at `/`.
 */
const LEGACY_GROUP = /^\/api:[A-Za-z0-9_-]+(?=\/|\?|$)/;

export function stripLegacyPrefix(url: string): string {
  const stripped = url.replace(LEGACY_GROUP, '');
  if (stripped === url || stripped === '' || stripped.startsWith('?') || stripped.startsWith('/?') || stripped === '/') return url;
  return stripped;
}
