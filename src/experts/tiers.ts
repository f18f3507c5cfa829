import { badRequest, conflict } from '../errors.ts';

export type Tier = 'quick_consult' | 'deep_dive';

interface ExpertTiers {
  accepting_questions: boolean;
  tier1_enabled: boolean;
  tier1_price_cents: number;
  tier1_sla_hours: number;
  tier2_enabled: boolean;
  tier2_auto_decline_below_cents: number | null;
  tier2_sla_hours: number;
}

export interface TierTerms {
  priceCents: number;
  slaHours: number;
  /** Deep Dive below the expert's private threshold: declined at creation, hold released. */
  autoDeclined: boolean;
  thresholdCents: number | null;
}

/** The price and SLA a new question gets, or why the expert cannot take it. */
export function tierTerms(expert: ExpertTiers, tier: Tier, proposedCents: number | null): TierTerms {
  if (!expert.accepting_questions) {
    throw conflict('This expert is not accepting questions right now. Try again later.', 'expert_not_accepting');
  }
  if (tier === 'quick_consult') {
    if (!expert.tier1_enabled || expert.tier1_price_cents <= 0) {
      throw conflict('This expert does not offer Quick Consult questions.', 'tier_disabled');
    }
    return { priceCents: expert.tier1_price_cents, slaHours: expert.tier1_sla_hours, autoDeclined: false, thresholdCents: null };
  }
  if (!expert.tier2_enabled) throw conflict('This expert does not offer Deep Dive questions.', 'tier_disabled');
  if (proposedCents === null || !Number.isInteger(proposedCents) || proposedCents < 1) {
    throw badRequest('proposed_price_cents must be a positive whole number of cents.', 'invalid_proposed_price');
  }
  const threshold = expert.tier2_auto_decline_below_cents;
  return {
    priceCents: proposedCents,
    slaHours: expert.tier2_sla_hours || 48,
    autoDeclined: threshold !== null && threshold > 0 && proposedCents < threshold,
    thresholdCents: threshold,
  };
}
