import type { Updateable } from 'kysely';
import { toJson } from '../db/json.ts';
import type { ExpertProfileTable } from '../db/schema.ts';
import { badRequest } from '../errors.ts';

/** Handles appear in URLs (`/u/<handle>`) unencoded: letters, digits, `.`, `_`, `-`; 3–30 characters. */
const HANDLE = /^[A-Za-z0-9][A-Za-z0-9._-]{2,29}$/;

export const isValidHandle = (h: string) => HANDLE.test(h);

function checkHandle(raw: string): string {
  const handle = raw.trim();
  if (!handle) throw badRequest('Choose a handle: it is the address of your public page.', 'handle_required');
  if (handle.length > 30) throw badRequest('The handle can have at most 30 characters.', 'handle_too_long');
  if (!isValidHandle(handle)) {
    throw badRequest(
      'The handle needs 3–30 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
      'handle_invalid',
    );
  }
  return handle;
}

/** The legacy client sends `Number(usd) * 100`, e.g. 1998.9999999: round, never reject. */
const round = (v: number | null | undefined, fallback: number) => (v === null || v === undefined ? fallback : Math.round(v));
const roundOrNull = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v));
const text = (v: string | null | undefined) => (v === null || v === undefined ? null : v.trim() || null);

/** A JSON column the legacy client sends either as a value or as a JSON string of it. */
function parseJsonish(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!s) return null;
  try {
    return JSON.parse(s);
  } catch {
    if (field === 'expertise')
      return s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    throw badRequest(`${field} must be an object of links, or a JSON string of one.`, 'validation_failed');
  }
}

function normaliseExpertise(v: unknown): string[] | null {
  const value = parseJsonish(v, 'expertise');
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.length > 30 || !value.every((x) => typeof x === 'string' && x.length <= 80)) {
    throw badRequest('expertise must be a list of at most 30 short texts.', 'validation_failed');
  }
  return value.map((x: string) => x.trim()).filter(Boolean);
}

function normaliseSocials(v: unknown): Record<string, string | null> | null {
  const value = parseJsonish(v, 'socials');
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('socials must be an object of links.', 'validation_failed');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 20 || !entries.every(([k, x]) => k.length <= 40 && (x === null || (typeof x === 'string' && x.length <= 500)))) {
    throw badRequest('socials must map at most 20 names to links of up to 500 characters.', 'validation_failed');
  }
  return Object.fromEntries(entries) as Record<string, string | null>;
}

export interface TierInput {
  tier1_price_cents: number;
  tier1_sla_hours: number;
  tier2_enabled: boolean;
  tier2_min_price_cents: number;
  tier2_max_price_cents: number;
  tier2_sla_hours: number;
}

export function checkTiers(t: TierInput): void {
  if (t.tier2_enabled && t.tier2_min_price_cents > 0 && t.tier2_max_price_cents > 0 && t.tier2_min_price_cents > t.tier2_max_price_cents) {
    throw badRequest('The Deep Dive minimum price must not be above its maximum.', 'tier2_range_invalid');
  }
}

/**
 * The legacy `price_cents`/`sla_hours` mirror Quick Consult: the ask page reads them when opened
 * directly. price_cents must stay ≥ 1 (a disabled tier may have price 0).
 */
export const legacyPrice = (tier1PriceCents: number, tier1SlaHours: number) => ({
  price_cents: Math.max(1, tier1PriceCents),
  sla_hours: tier1SlaHours,
});

export interface ProfileBodyInput {
  handle: string;
  bio?: string | null;
  public?: boolean | null;
  currency?: 'USD' | 'EUR' | null;
  price_cents?: number | null;
  sla_hours?: number | null;
  tier1_enabled?: boolean | null;
  tier1_price_cents?: number | null;
  tier1_sla_hours?: number | null;
  tier1_description?: string | null;
  tier2_enabled?: boolean | null;
  tier2_pricing_mode?: string | null;
  tier2_min_price_cents?: number | null;
  tier2_max_price_cents?: number | null;
  tier2_sla_hours?: number | null;
  tier2_auto_decline_below_cents?: number | null;
  tier2_description?: string | null;
  professional_title?: string | null;
  tagline?: string | null;
  expertise?: unknown;
  socials?: unknown;
  charity_percentage?: number | null;
  selected_charity?: string | null;
  accepting_questions?: boolean | null;
  daily_digest_enabled?: boolean | null;
}

/**
 * PUT /me/profile is a full replace: a field left out or null gets its default, as on a new profile.
 * Columns the form does not own (avatar_url, status) are not touched.
 */
export function profileValues(b: ProfileBodyInput): Updateable<ExpertProfileTable> & TierInput {
  const tiers = {
    tier1_price_cents: round(b.tier1_price_cents, 5000),
    tier1_sla_hours: round(b.tier1_sla_hours, 24),
    tier2_enabled: b.tier2_enabled ?? false,
    tier2_min_price_cents: round(b.tier2_min_price_cents, 0),
    tier2_max_price_cents: round(b.tier2_max_price_cents, 0),
    tier2_sla_hours: round(b.tier2_sla_hours, 48),
  };
  checkTiers(tiers);
  const expertise = normaliseExpertise(b.expertise);
  const socials = normaliseSocials(b.socials);
  return {
    handle: checkHandle(b.handle),
    bio: text(b.bio),
    public: b.public ?? false,
    currency: b.currency ?? 'USD',
    professional_title: text(b.professional_title),
    tagline: text(b.tagline),
    expertise: expertise === null ? null : toJson(expertise),
    socials: socials === null ? null : toJson(socials),
    charity_percentage: round(b.charity_percentage, 0),
    selected_charity: text(b.selected_charity),
    accepting_questions: b.accepting_questions ?? true,
    daily_digest_enabled: b.daily_digest_enabled ?? true,
    tier1_enabled: b.tier1_enabled ?? true,
    tier1_description: b.tier1_description ?? '',
    tier2_pricing_mode: b.tier2_pricing_mode?.trim() || 'asker_proposes',
    tier2_auto_decline_below_cents: roundOrNull(b.tier2_auto_decline_below_cents),
    tier2_description: b.tier2_description ?? '',
    ...tiers,
    ...legacyPrice(tiers.tier1_price_cents, tiers.tier1_sla_hours),
  };
}
