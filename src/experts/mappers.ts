import type { Selectable } from 'kysely';
import type { ExpertProfileTable } from '../db/schema.ts';

export type ProfileRow = Selectable<ExpertProfileTable>;

/** jsonb written by the legacy system may hold a JSON string of the value: hand out the value. */
function jsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function common(p: ProfileRow) {
  return {
    id: p.id,
    public: p.public,
    accepting_questions: p.accepting_questions,
    professional_title: p.professional_title,
    tagline: p.tagline,
    avatar_url: p.avatar_url,
    bio: p.bio,
    socials: jsonValue(p.socials),
    expertise: jsonValue(p.expertise),
    charity_percentage: p.charity_percentage,
    selected_charity: p.selected_charity,
    price_cents: p.price_cents,
    currency: p.currency,
    sla_hours: p.sla_hours,
    tier1_enabled: p.tier1_enabled,
    tier1_price_cents: p.tier1_price_cents,
    tier1_sla_hours: p.tier1_sla_hours,
    tier1_description: p.tier1_description,
    tier2_enabled: p.tier2_enabled,
    tier2_pricing_mode: p.tier2_pricing_mode,
    tier2_min_price_cents: p.tier2_min_price_cents,
    tier2_max_price_cents: p.tier2_max_price_cents,
    tier2_sla_hours: p.tier2_sla_hours,
    tier2_description: p.tier2_description,
  };
}

export function toOwnProfile(p: ProfileRow) {
  return {
    ...common(p),
    handle: p.handle,
    user_id: p.user_id,
    status: p.status,
    daily_digest_enabled: p.daily_digest_enabled,
    tier2_auto_decline_below_cents: p.tier2_auto_decline_below_cents,
    created_at: p.created_at.getTime(),
    updated_at: p.updated_at.getTime(),
  };
}

export function toPublicProfile(p: ProfileRow & { handle: string }, name: string) {
  return { ...common(p), handle: p.handle, name };
}

/** The tiers an asker can choose, as the legacy public profile listed them (no auto-decline threshold). */
export function toPublicTiers(p: ProfileRow) {
  return {
    quick_consult:
      p.tier1_enabled && p.tier1_price_cents > 0
        ? { price_cents: p.tier1_price_cents, sla_hours: p.tier1_sla_hours, description: p.tier1_description }
        : null,
    deep_dive: p.tier2_enabled
      ? {
          pricing_mode: p.tier2_pricing_mode,
          min_price_cents: p.tier2_min_price_cents,
          max_price_cents: p.tier2_max_price_cents,
          sla_hours: p.tier2_sla_hours,
          description: p.tier2_description,
        }
      : null,
  };
}

const DEFAULT_TIERS = {
  tier1_enabled: true,
  tier1_price_cents: 5000,
  tier1_sla_hours: 24,
  tier1_description: '',
  tier2_enabled: false,
  tier2_pricing_mode: 'asker_proposes',
  tier2_min_price_cents: 0,
  tier2_max_price_cents: 0,
  tier2_auto_decline_below_cents: null,
  tier2_sla_hours: 48,
  tier2_description: '',
};

/** The owner's tier settings; the defaults of a new profile when there is none yet. */
export function toPricingTiers(p: Pick<ProfileRow, keyof typeof DEFAULT_TIERS> | null) {
  const t = p ?? DEFAULT_TIERS;
  return {
    quick_consult: {
      enabled: t.tier1_enabled,
      price_cents: t.tier1_price_cents,
      sla_hours: t.tier1_sla_hours,
      description: t.tier1_description,
    },
    deep_dive: {
      enabled: t.tier2_enabled,
      pricing_mode: t.tier2_pricing_mode,
      min_price_cents: t.tier2_min_price_cents,
      max_price_cents: t.tier2_max_price_cents,
      auto_decline_below_cents: t.tier2_auto_decline_below_cents,
      sla_hours: t.tier2_sla_hours,
      description: t.tier2_description,
    },
  };
}
