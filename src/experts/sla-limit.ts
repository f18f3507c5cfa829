/**
 * A question's payment is a card hold that the provider ends on its own after PAYMENT_HOLD_HOURS
 * (Stripe: about 7 days). An SLA that runs past it would let an expert answer a question whose
 * money is gone, so an expert cannot promise one (issue #20, item 4).
 */
import { badRequest } from '../errors.ts';
import type { Tier } from './tiers.ts';

/** A Deep Dive offer waits this long for the expert's acceptance before its SLA starts. */
export const DEEP_DIVE_OFFER_WINDOW_HOURS = 24;

/** The latest answer deadline of a new question, in hours after its creation. */
export const hoursToAnswer = (tier: Tier, slaHours: number) => slaHours + (tier === 'deep_dive' ? DEEP_DIVE_OFFER_WINDOW_HOURS : 0);

/** The hold's length and margin (config.paymentHold). */
interface Hold {
  hours: number;
  marginHours: number;
}

/** The longest time to answer that still ends inside the hold, with the margin left for the capture. */
const slaLimitHours = (hold: Hold) => hold.hours - hold.marginHours;

interface Slas {
  tier1_sla_hours: number;
  tier2_sla_hours: number;
}

/**
 * Refuses an SLA whose answer deadline would fall after the hold's limit. A value over the limit
 * is refused only when it differs from the stored one: a profile saved before the limit existed
 * (or under a longer PAYMENT_HOLD_HOURS) can still have its other fields edited. The stored values
 * are loaded only then, so a save within the limit costs no extra query.
 */
export async function checkSlasFitHold(hold: Hold, next: Slas, stored: () => Promise<Slas | null | undefined>): Promise<void> {
  const limit = slaLimitHours(hold);
  const t1 = next.tier1_sla_hours;
  const t2 = next.tier2_sla_hours;
  const over1 = hoursToAnswer('quick_consult', t1) > limit;
  const over2 = hoursToAnswer('deep_dive', t2) > limit;
  if (!over1 && !over2) return;
  const current = await stored();
  const why = `a card hold lasts ${hold.hours} hours and the answer must be due ${hold.marginHours} hours before it ends`;
  if (over1 && t1 !== current?.tier1_sla_hours) {
    throw badRequest(`The Quick Consult answer time (${t1} hours) must be at most ${limit} hours: ${why}.`, 'sla_exceeds_hold');
  }
  if (over2 && t2 !== current?.tier2_sla_hours) {
    throw badRequest(
      `The Deep Dive answer time (${t2} hours) plus the ${DEEP_DIVE_OFFER_WINDOW_HOURS}-hour offer window must be at most ${limit} hours, so at most ${limit - DEEP_DIVE_OFFER_WINDOW_HOURS} hours: ${why}.`,
      'sla_exceeds_hold',
    );
  }
}
