import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeJobsDue } from '../../test/jobs.ts';
import { askQuickConsult, expertWithToken, lifecycle } from '../../test/question-helpers.ts';
import { findJob } from '../jobs/registry.ts';
import { PaymentProviderError } from '../payment-provider/provider.ts';

describe('payment-actions job', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is registered and retries a pending capture (dry run changes nothing)', async () => {
    const job = findJob('payment-actions');
    // On demand: the payment-action queue's workers retry on their own.
    expect(job?.cron).toBeNull();
    const e = await expertWithToken(t);
    const { questionId } = await askQuickConsult(t, e);
    const real = t.ctx.payments;
    t.ctx.payments = { ...real, capture: () => Promise.reject(new PaymentProviderError('down', 'api_error', true)) };
    await t.app
      .inject({ method: 'POST', url: '/answer', headers: e.auth, payload: { question_id: questionId, text_response: 'x' } })
      .finally(() => {
        t.ctx.payments = real;
      });
    await makeJobsDue(t.ctx, 'payment-action');
    const opts = { log: t.ctx.log, signal: new AbortController().signal };
    expect(await job?.run(t.ctx, { ...opts, dryRun: true })).toEqual({ items: 1, failed: 0 });
    expect(await lifecycle(t, questionId)).toMatchObject({ payment: 'authorized', pending_action: 'capture' });
    expect(await job?.run(t.ctx, { ...opts, dryRun: false })).toMatchObject({ items: 1, failed: 0, done: 1 });
    expect(await lifecycle(t, questionId)).toMatchObject({ payment: 'captured', pending_action: null, intent: 'succeeded' });
  });
});
