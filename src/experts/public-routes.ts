import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses } from '../http/schemas.ts';
import { toPublicProfile, toPublicTiers } from './mappers.ts';
import { PublicProfile, PublicTiers } from './schemas.ts';
import { getPublicProfile, isHandleAvailable } from './service.ts';

const PublicPage = Type.Object({ expert_profile: PublicProfile, user: Type.Object({ name: Type.String() }), tiers: PublicTiers });
const tags = ['public'];

/** Pages anyone may read (legacy Xano "Public" group paths). */
export function publicProfileRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/public/profile',
    {
      schema: {
        tags,
        summary: "An expert's public page: public fields only; 404 for an unknown or private handle",
        querystring: Type.Object({ handle: Type.String({ maxLength: 100 }) }),
        response: { 200: PublicPage, ...errorResponses(400, 404, 429) },
      },
      config: { rateLimit: { max: 300, timeWindow: 60_000 } },
    },
    async (req) => {
      const row = await getPublicProfile(ctx, req.query.handle.trim());
      return { expert_profile: toPublicProfile(row, row.owner_name), user: { name: row.owner_name }, tiers: toPublicTiers(row) };
    },
  );

  app.get(
    '/expert/profile/check-handle/:handle',
    {
      schema: {
        tags,
        summary: 'Whether a handle is free (exact, case-sensitive; an invalid handle is never available)',
        params: Type.Object({ handle: Type.String({ maxLength: 100 }) }),
        response: { 200: Type.Object({ available: Type.Boolean(), handle: Type.String() }), ...errorResponses(400, 429) },
      },
      config: { rateLimit: { max: 120, timeWindow: 60_000 } },
    },
    async (req) => ({ available: await isHandleAvailable(ctx, req.params.handle), handle: req.params.handle }),
  );
}
