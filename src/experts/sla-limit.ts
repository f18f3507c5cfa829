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
 * Refuses an SLA whose answer deadline would fall after the hold's limit. Only values that differ
 * from the stored ones are checked: a profile saved before the limit existed (or under a longer
 * PAYMENT_HOLD_HOURS) can still have its other fields edited.
 */
export function checkSlasFitHold(hold: Hold, next: Slas, current: Slas | null): void {
  const limit = slaLimitHours(hold);
  const why = `a card hold lasts ${hold.hours} hours and the answer must be due ${hold.marginHours} hours before it ends`;
  const t1 = next.tier1_sla_hours;
  if (t1 !== current?.tier1_sla_hours && hoursToAnswer('quick_consult', t1) > limit) {
    throw badRequest(`The Quick Consult answer time (${t1} hours) must be at most ${limit} hours: ${why}.`, 'sla_exceeds_hold');
  }
  const t2 = next.tier2_sla_hours;
  if (t2 !== current?.tier2_sla_hours && hoursToAnswer('deep_dive', t2) > limit) {
    throw badRequest(
      `The Deep Dive answer time (${t2} hours) plus the ${DEEP_DIVE_OFFER_WINDOW_HOURS}-hour offer window must be at most ${limit} hours, so at most ${limit - DEEP_DIVE_OFFER_WINDOW_HOURS} hours: ${why}.`,
      'sla_exceeds_hold',
    );
  }
}
