import { currentUser } from '../auth/service.ts';
import type { AppContext } from '../context.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { ProfileRow } from './mappers.ts';
import { checkTiers, isValidHandle, legacyPrice, type ProfileBodyInput, profileValues } from './profile-input.ts';
import {
  type ExpertForQuestion,
  findExpertByHandle,
  findExpertById,
  findProfileByUserId,
  findProfileOwnerByHandle,
  findPublicProfileByHandle,
  insertDefaultProfile,
  updateProfileByUserId,
  updateUserAccount,
  upsertProfile,
} from './queries.ts';
import { checkSlasFitHold } from './sla-limit.ts';

const noProfile = () =>
  notFound('You have no expert profile yet: call POST /me/bootstrap (done after every sign-in).', 'profile_not_found');
const handleTaken = () => conflict('That handle is already taken.', 'handle_taken');

/** The user and their expert profile (null before the first bootstrap). */
export async function getMyProfile(ctx: AppContext, userId: number) {
  const user = await currentUser(ctx, userId);
  return { user, profile: (await findProfileByUserId(ctx.db, userId)) ?? null };
}

/**
 * Called after every sign-in: creates the default expert profile on the first one. Idempotent,
 * also when the client fires it twice at once (INSERT … ON CONFLICT on the unique user_id).
 */
export async function bootstrap(ctx: AppContext, userId: number) {
  const user = await currentUser(ctx, userId);
  await insertDefaultProfile(ctx.db, userId, ctx.now());
  const profile = await findProfileByUserId(ctx.db, userId);
  if (!profile) throw new Error(`profile of user ${userId} missing right after bootstrap`);
  return { user, profile };
}

/** PUT /me/profile: full replace of the caller's profile (created if missing). A taken handle is 409. */
export async function replaceMyProfile(ctx: AppContext, userId: number, body: ProfileBodyInput): Promise<ProfileRow> {
  const values = profileValues(body);
  await checkSlasFitHold(ctx.config.paymentHold, values, () => findProfileByUserId(ctx.db, userId));
  const owner = await findProfileOwnerByHandle(ctx.db, values.handle as string);
  if (owner && owner.user_id !== userId) throw handleTaken();
  try {
    return await upsertProfile(ctx.db, userId, values, ctx.now());
  } catch (err) {
    // Two experts claiming the same free handle at once: the unique index decides.
    if (isUniqueViolation(err, 'expert_profile_handle_key')) throw handleTaken();
    throw err;
  }
}

export interface AccountInput {
  fname?: string | null;
  lname?: string | null;
  address?: string | null;
  city?: string | null;
  country?: string | null;
  zip?: string | null;
}

/** PUT /me/account: the person's name and postal address. A given first/last name also becomes the display name. */
export async function updateMyAccount(ctx: AppContext, userId: number, input: AccountInput) {
  const current = await currentUser(ctx, userId);
  const clean = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : v.trim() || null);
  const set = {
    fname: clean(input.fname),
    lname: clean(input.lname),
    address: clean(input.address),
    city: clean(input.city),
    country: clean(input.country),
    zip: clean(input.zip),
  };
  const display = [set.fname, set.lname].filter(Boolean).join(' ');
  const fields = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  // Nothing to change (an empty body): an UPDATE without columns would fail.
  if (!Object.keys(fields).length) return current;
  return updateUserAccount(ctx.db, userId, { ...fields, ...(display ? { name: display } : {}) });
}

export async function setAvailability(ctx: AppContext, userId: number, accepting: boolean) {
  const row = await updateProfileByUserId(ctx.db, userId, { accepting_questions: accepting, updated_at: ctx.now() });
  if (!row) throw noProfile();
  return row;
}

/** URL form of the profile picture: an http(s) URL, or null to remove it (stored as ""). */
export async function setProfilePicture(ctx: AppContext, userId: number, imageUrl: string | null | undefined) {
  let url = '';
  if (imageUrl?.trim()) {
    url = imageUrl.trim();
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'https:' || u.protocol === 'http:';
    } catch {}
    if (!ok) throw badRequest('image_url must be an http(s) URL of the picture, or null to remove it.', 'invalid_image_url');
  }
  const row = await updateProfileByUserId(ctx.db, userId, { avatar_url: url, updated_at: ctx.now() });
  if (!row) throw noProfile();
  return row;
}

export interface TiersInput {
  quick_consult?: { enabled?: boolean | null; price_cents?: number | null; sla_hours?: number | null; description?: string | null };
  deep_dive?: {
    enabled?: boolean | null;
    pricing_mode?: string | null;
    min_price_cents?: number | null;
    max_price_cents?: number | null;
    auto_decline_below_cents?: number | null;
    sla_hours?: number | null;
    description?: string | null;
  };
}

/** PUT /expert/pricing-tiers: changes the given fields of either tier; the rest stays. */
export async function updatePricingTiers(ctx: AppContext, userId: number, input: TiersInput) {
  const current = await findProfileByUserId(ctx.db, userId);
  if (!current) throw noProfile();
  const qc = input.quick_consult ?? {};
  const dd = input.deep_dive ?? {};
  const pick = <T>(v: T | null | undefined, fallback: T) => (v === null || v === undefined ? fallback : v);
  const cents = (v: number | null | undefined, fallback: number) => Math.round(pick(v, fallback));
  const next = {
    tier1_enabled: pick(qc.enabled, current.tier1_enabled),
    tier1_price_cents: cents(qc.price_cents, current.tier1_price_cents),
    tier1_sla_hours: cents(qc.sla_hours, current.tier1_sla_hours),
    tier1_description: pick(qc.description, current.tier1_description),
    tier2_enabled: pick(dd.enabled, current.tier2_enabled),
    tier2_pricing_mode: pick(dd.pricing_mode?.trim() || null, current.tier2_pricing_mode),
    tier2_min_price_cents: cents(dd.min_price_cents, current.tier2_min_price_cents),
    tier2_max_price_cents: cents(dd.max_price_cents, current.tier2_max_price_cents),
    // null is a value here: it removes the auto-decline threshold.
    tier2_auto_decline_below_cents:
      dd.auto_decline_below_cents === undefined
        ? current.tier2_auto_decline_below_cents
        : dd.auto_decline_below_cents === null
          ? null
          : Math.round(dd.auto_decline_below_cents),
    tier2_sla_hours: cents(dd.sla_hours, current.tier2_sla_hours),
    tier2_description: pick(dd.description, current.tier2_description),
  };
  checkTiers(next);
  await checkSlasFitHold(ctx.config.paymentHold, next, async () => current);
  const row = await updateProfileByUserId(ctx.db, userId, {
    ...next,
    ...legacyPrice(next.tier1_price_cents, next.tier1_sla_hours),
    updated_at: ctx.now(),
  });
  if (!row) throw noProfile();
  return row;
}

export async function getPricingTiers(ctx: AppContext, userId: number) {
  return (await findProfileByUserId(ctx.db, userId)) ?? null;
}

/** A public page: 404 for an unknown handle and for a profile that is not public (indistinguishable). */
export async function getPublicProfile(ctx: AppContext, handle: string) {
  const row = handle ? await findPublicProfileByHandle(ctx.db, handle) : undefined;
  if (!row?.handle) throw notFound(`No public expert profile has the handle "${handle}".`, 'profile_not_found');
  return { ...row, handle: row.handle };
}

export async function isHandleAvailable(ctx: AppContext, handle: string): Promise<boolean> {
  if (!isValidHandle(handle)) return false;
  return !(await findProfileOwnerByHandle(ctx.db, handle));
}

/** The expert of a new question or payment hold, by handle (the ask page) or profile id (Xano paths). */
export async function resolveExpert(ctx: AppContext, handle: string | null, profileId: number | null): Promise<ExpertForQuestion> {
  const expert = handle ? await findExpertByHandle(ctx.db, handle) : profileId ? await findExpertById(ctx.db, profileId) : undefined;
  if (!expert) throw notFound('No expert has this handle. Check the link you followed.', 'expert_not_found');
  return expert;
}
