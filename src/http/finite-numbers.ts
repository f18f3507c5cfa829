import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.ts';

/** The first path under `value` that holds a number that is not finite, or null. */
function nonFinite(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? null : path;
  if (depth > 8 || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    const found = nonFinite(v, path ? `${path}.${k}` : k, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Ajv's type coercion turns "1e309" or "Infinity" into Infinity, and an integer schema with a
 * maximum still accepts it (as does JSON.parse for 1e309 in a body); 4.9e82 is an "integer" too.
 * Such values reached SQL (`LIMIT Infinity`, a bigint out of range) as a 500: no number in this API
 * (ids, cents, hours, pages) is beyond ±2^53, so refuse them as the validation error they are.
 */
export function installFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (req) => {
    for (const [where, value] of [
      ['querystring', req.query],
      ['params', req.params],
      ['body', req.body],
    ] as const) {
      const path = nonFinite(value, '');
      if (path !== null)
        throw new HttpError(400, 'validation_failed', `Invalid ${where}: ${path || 'the value'} must be a number between -2^53 and 2^53.`);
    }
  });
}
