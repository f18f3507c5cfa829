import { describe, expect, it } from 'vitest';
import { maxAttempts, nominalRetryDelayMs } from './queues.ts';

describe('queue retry policy', () => {
  it('doubles the delay from retryDelay and caps it at retryDelayMax', () => {
    expect([1, 2, 3, 4].map((a) => nominalRetryDelayMs('email-deliver', a))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(nominalRetryDelayMs('email-deliver', 30)).toBe(6 * 3600 * 1000);
  });

  it('counts the first try and every retry', () => {
    expect(maxAttempts('email-deliver')).toBe(8);
    expect(maxAttempts('payment-action')).toBe(25);
  });
});
