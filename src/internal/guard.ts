import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { HttpError, unauthorized } from '../errors.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The legacy internal key (`x_api_key`, in the query or the body). Both sides are hashed first, so
 * the comparison takes the same time whatever the length or content of the guess. Unset = 404.
 */
export function requireInternalKey(ctx: AppContext, req: { query: unknown; body: unknown }): void {
  const expected = ctx.config.internalApiKey;
  if (!expected) throw new HttpError(404, 'internal_api_disabled', 'This internal endpoint is off: set INTERNAL_API_KEY to use it.');
  const pick = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>).x_api_key : undefined);
  const given = pick(req.query) ?? pick(req.body);
  if (typeof given !== 'string' || given === '') throw unauthorized('Send the internal key as x_api_key.', 'api_key_required');
  if (!timingSafeEqual(digest(given), digest(expected))) throw unauthorized('x_api_key is wrong.', 'invalid_api_key');
}
