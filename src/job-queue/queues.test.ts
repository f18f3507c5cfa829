import { describe, expect, it } from 'vitest';
import { maxAttempts } from './queues.ts';

describe('queue retry policy', () => {
  it('counts the first try and every retry', () => {
    expect(maxAttempts('email-deliver')).toBe(8);
    expect(maxAttempts('payment-action')).toBe(25);
  });
});
