import { Type } from '@fastify/type-provider-typebox';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import { SelfUser, toSelfUser } from '../auth/schemas.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, NullableUnion as Nullable } from '../http/schemas.ts';
import { toOwnProfile, toPricingTiers } from './mappers.ts';
import { publicProfileRoutes } from './public-routes.ts';
import { AccountBody, AvailabilityBody, OwnProfile, PictureBody, PricingTiers, PricingTiersBody, ProfileBody } from './schemas.ts';
import {
  bootstrap,
  getMyProfile,
  getPricingTiers,
  replaceMyProfile,
  setAvailability,
  setProfilePicture,
  updateMyAccount,
  updatePricingTiers,
} from './service.ts';

const MeProfile = Type.Object({ user: SelfUser, expert_profile: Nullable(OwnProfile) });
const tags = ['experts'];
const auth = { tags, security: bearerSecurity };

/** The signed-in expert's own settings (legacy Xano "Authentication" group paths). */
export function expertRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/me/bootstrap',
    {
      schema: {
        ...auth,
        summary: 'After every sign-in: create the expert profile on the first one (idempotent)',
        response: { 200: MeProfile, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const { user, profile } = await bootstrap(ctx, (await requireUser(ctx, req)).id);
      return { user: toSelfUser(user), expert_profile: toOwnProfile(profile) };
    },
  );

  app.get(
    '/me/profile',
    {
      schema: {
        ...auth,
        summary: 'The signed-in user and their expert profile (null before bootstrap)',
        response: { 200: MeProfile, ...errorResponses(401, 404) },
      },
    },
    async (req) => {
      const { user, profile } = await getMyProfile(ctx, (await requireUser(ctx, req)).id);
      return { user: toSelfUser(user), expert_profile: profile ? toOwnProfile(profile) : null };
    },
  );

  app.put(
    '/me/profile',
    {
      schema: {
        ...auth,
        summary: 'Replace the expert profile (full replace; cents rounded; price_cents/sla_hours follow Quick Consult)',
        body: ProfileBody,
        response: { 200: OwnProfile, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => toOwnProfile(await replaceMyProfile(ctx, (await requireUser(ctx, req)).id, req.body)),
  );

  app.put(
    '/me/account',
    {
      schema: {
        ...auth,
        summary: 'Update name and postal address',
        body: AccountBody,
        response: { 200: Type.Object({ success: Type.Boolean(), user: SelfUser }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => ({ success: true, user: toSelfUser(await updateMyAccount(ctx, (await requireUser(ctx, req)).id, req.body)) }),
  );

  app.post(
    '/expert/profile/availability',
    {
      schema: {
        ...auth,
        summary: 'Open or close the profile for new questions',
        body: AvailabilityBody,
        response: { 200: Type.Object({ success: Type.Boolean(), accepting_questions: Type.Boolean() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const row = await setAvailability(ctx, (await requireUser(ctx, req)).id, req.body.accepting_questions);
      return { success: true, accepting_questions: row.accepting_questions };
    },
  );

  app.post(
    '/upload/profile-picture',
    {
      schema: {
        ...auth,
        summary: 'Set the profile picture by URL (null removes it)',
        body: PictureBody,
        response: { 200: Type.Object({ url: Type.String(), message: Type.String() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const row = await setProfilePicture(ctx, (await requireUser(ctx, req)).id, req.body.image_url);
      return { url: row.avatar_url ?? '', message: row.avatar_url ? 'Profile picture updated.' : 'Profile picture removed.' };
    },
  );

  app.get(
    '/expert/pricing-tiers',
    {
      schema: {
        ...auth,
        summary: 'Quick Consult and Deep Dive settings (defaults before bootstrap)',
        response: { 200: PricingTiers, ...errorResponses(401) },
      },
    },
    async (req) => toPricingTiers(await getPricingTiers(ctx, (await requireUser(ctx, req)).id)),
  );

  app.put(
    '/expert/pricing-tiers',
    {
      schema: {
        ...auth,
        summary: 'Change fields of either tier (others unchanged; cents rounded)',
        body: PricingTiersBody,
        response: { 200: PricingTiers, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => toPricingTiers(await updatePricingTiers(ctx, (await requireUser(ctx, req)).id, req.body)),
  );

  publicProfileRoutes(app, ctx);
}
