import type { PaymentsConfig } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { PaymentProvider } from './provider.ts';
import { createSimulatedProvider } from './simulated.ts';
import { createStripeProvider } from './stripe.ts';

/** The adapter PAYMENTS names; createContext calls it once at start-up. */
/** `holdHours` = PAYMENT_HOLD_HOURS: how long the simulated adapter's holds last. */
export function createPaymentProvider(payments: PaymentsConfig, db: Db, now: () => Date, holdHours: number): PaymentProvider {
  switch (payments.provider) {
    case 'simulated':
      return createSimulatedProvider(db, now, holdHours);
    case 'stripe':
      return createStripeProvider(payments);
    default: {
      const unknown: never = payments;
      throw new Error(`Unknown payment provider ${JSON.stringify(unknown)}`);
    }
  }
}
