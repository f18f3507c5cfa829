import type { IncomingHttpHeaders } from 'node:http';

/**
 * The token of an `Authorization: Bearer <token>` header: null without the header, '' when the
 * header has another shape (a guard answers that differently from a missing one).
 */
export function bearerToken(req: { headers: IncomingHttpHeaders }): string | null {
  const h = req.headers.authorization;
  if (h === undefined) return null;
  return /^Bearer\s+(\S+)$/i.exec(h)?.[1] ?? '';
}
