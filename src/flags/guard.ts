import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { isFlagEnabled } from './service.ts';

/**
 * A route guard: `app.get(path, { preHandler: requireFlag(ctx, 'marketing_module') }, handler)`.
 * While the flag is off the route answers 404 `feature_disabled`, as if it did not exist yet.
 */
export function requireFlag(ctx: AppContext, key: string) {
  return async (_req: FastifyRequest): Promise<void> => {
    if (!(await isFlagEnabled(ctx.db, key))) {
      throw notFound('This feature is not available yet.', 'feature_disabled');
    }
  };
}
