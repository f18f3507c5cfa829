import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { bearer, createUser, tokenFor } from '../../test/factories.ts';
import { makeJobsDue } from '../../test/jobs.ts';
import { askQuickConsult, expertWithToken } from '../../test/question-helpers.ts';
import { deliverPendingEmails } from '../email/deliver.ts';
import { workFileDeletionOutbox } from '../file-deletion/service.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { runDuePaymentActions } from '../payments/actions.ts';
import { pseudonym } from '../privacy/pseudonym.ts';
import { collectSubject, findResidue } from '../privacy/residue.ts';
import { runRetention } from '../privacy/retention.ts';
import { codeFromOutbox as codeFromOutboxOf, richExpert } from './test-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const del = (headers: Record<string, string>, payload?: object, url = '/me/delete-account') =>
  t.app.inject({ method: 'DELETE', url, headers, ...(payload ? { payload } : {}) });

const codeFromOutbox = (to: string) => codeFromOutboxOf(t, to);

describe('DELETE /me/delete-account', () => {
  it('erases a rich expert account in one go: receipt, lock-out, 410s, pseudonymised payments, released holds, no residue', async () => {
    const db = t.database.db;
    const acc = await richExpert(t, { questions: 4 });
    const other = await expertWithToken(t);
    const kept = await askQuickConsult(t, other, { payerEmail: acc.askerEmail });
    const subject = await collectSubject(db, [{ table: 'user', ids: [acc.expert.user.id] }], [acc.email, acc.marker, ...acc.keys]);
    const intents = await db
      .selectFrom('payment')
      .select(['id', 'stripe_payment_intent_id', 'question_id'])
      .where('question_id', 'in', acc.questionIds)
      .execute();

    const res = await del({ ...acc.expert.auth, 'idempotency-key': 'delete-0001-abcdef' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, success: true });
    expect(body.deletion_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.counts).toMatchObject({
      user: 1,
      expert_profile: 1,
      question: 4,
      answer: 2,
      media_asset: 4,
      utm_campaign: 1,
      campaign_visit: 2,
    });
    expect(body.counts).toMatchObject({
      feedback: 1,
      magic_link_token: 1,
      upload_session: 1,
      payment_pseudonymised: 4,
      payment_hold_released: 2,
    });
    expect(body.counts.askers_notified).toBe(4);

    // Immediate lock-out: the token, the public page, the review links and the files.
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: acc.expert.auth })).statusCode).toBe(401);
    const handle = acc.expert.profile.handle as string;
    expect((await t.app.inject({ method: 'GET', url: `/public/profile?handle=${handle}` })).statusCode).toBe(404);
    for (const token of acc.reviewTokens) {
      const r = await t.app.inject({ method: 'GET', url: `/review/${token}` });
      expect(r.statusCode).toBe(410);
    }
    for (const url of acc.fileUrls) {
      const r = await t.app.inject({ method: 'GET', url: new URL(url).pathname });
      expect(r.statusCode, url).toBe(410);
      const dl = await t.app.inject({ method: 'GET', url: `/api/media/download-attachment?url=${encodeURIComponent(url)}` });
      expect(dl.statusCode, url).toBe(410);
    }

    // Payments: kept, unlinked, pseudonymised, dated; open holds released, answered ones captured.
    const payments = await db
      .selectFrom('payment')
      .selectAll()
      .where(
        'id',
        'in',
        intents.map((i) => i.id),
      )
      .execute();
    expect(payments).toHaveLength(4);
    for (const p of payments) {
      expect(p.question_id).toBeNull();
      expect(p.expert_pseudonym).toBe(pseudonym(t.ctx.config.privacy.pseudonymSecret, 'user', acc.expert.user.id));
      expect(p.payer_pseudonym).toBe(pseudonym(t.ctx.config.privacy.pseudonymSecret, 'payer', acc.askerEmail));
      expect(p.retain_until?.getTime()).toBe(t.ctx.now().getTime() + 3653 * 24 * 3600_000);
    }
    const statuses = payments.map((p) => p.status).sort();
    expect(statuses).toEqual(['captured', 'captured', 'refunded', 'refunded']);

    // The audit row: pseudonym, times and counts, no name or e-mail.
    const audit = await db.selectFrom('erasure_audit').selectAll().where('deletion_id', '=', body.deletion_id).executeTakeFirstOrThrow();
    expect(audit.subject_kind).toBe('expert');
    expect(audit.completed_at).not.toBeNull();
    expect(JSON.stringify(audit)).not.toContain(acc.marker);

    // E-mail 8 to the address, the askers told; nothing else to the address is left.
    const mails = await db.selectFrom('email_outbox').select(['id', 'template', 'to_address']).orderBy('id').execute();
    const confirmation = mails.filter((m) => m.to_address === acc.email);
    expect(confirmation.map((m) => m.template)).toEqual(['account-deleted']);
    expect(mails.filter((m) => m.template === 'expert-account-closed')).toHaveLength(4);

    // Residue: only the confirmation e-mail (until delivered), the keys of files not deleted yet and the
    // provider's metadata (until scrubbed).
    const before = await findResidue(db, subject, { exhaustive: true, allowEmailOutboxIds: confirmation.map((m) => m.id) });
    expect(before.filter((h) => !['simulated_payment_intent', 'file_deletion_outbox'].includes(h.table))).toEqual([]);

    // The other expert's question of the same asker is untouched.
    expect(await db.selectFrom('question').select('payer_email').where('id', '=', kept.questionId).executeTakeFirst()).toEqual({
      payer_email: acc.askerEmail,
    });

    // Files after rows: the outbox deletes every object; e-mails delivered; retention scrubs e-mail 8.
    const worked = await workFileDeletionOutbox(t.ctx);
    expect(worked.failed).toBe(0);
    for (const key of acc.keys) expect(await t.ctx.storage.head(key), key).toBeNull();
    await deliverPendingEmails(t.ctx, { limit: 500 });
    await runRetention(t.ctx, false);
    expect(await findResidue(db, subject, { exhaustive: true })).toEqual([]);
  });

  it('retried with the same Idempotency-Key returns the same deletion_id; another key gets 401', async () => {
    const u = await createUser(t.database.db);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', u.id).execute();
    const auth = bearer(await tokenFor(t.ctx, u));
    const first = await del({ ...auth, 'idempotency-key': 'retry-key-000001' });
    expect(first.statusCode).toBe(200);
    expect(first.json().counts).toMatchObject({ user: 1, expert_profile: 0 });
    const again = await del({ ...auth, 'idempotency-key': 'retry-key-000001' });
    expect(again.statusCode).toBe(200);
    expect(again.json().deletion_id).toBe(first.json().deletion_id);
    expect(again.json().counts).toEqual(first.json().counts);
    expect((await del({ ...auth, 'idempotency-key': 'another-key-0002' })).statusCode).toBe(401);
    const audits = await t.database.db
      .selectFrom('erasure_audit')
      .select('subject_kind')
      .where('deletion_id', '=', first.json().deletion_id)
      .execute();
    expect(audits).toEqual([{ subject_kind: 'user' }]);
  });

  it('serves the legacy client path with an empty JSON body and no key (the token is the key)', async () => {
    const u = await createUser(t.database.db);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', u.id).execute();
    const auth = { ...bearer(await tokenFor(t.ctx, u)), 'content-type': 'application/json' };
    const res = await del(auth, undefined, '/api/users/delete-account');
    expect(res.statusCode).toBe(200);
    expect(res.json().ok).toBe(true);
    const retry = await del(auth, undefined, '/api/users/delete-account');
    expect(retry.json().deletion_id).toBe(res.json().deletion_id);
    expect(await t.database.db.selectFrom('user').select('id').where('id', '=', u.id).executeTakeFirst()).toBeUndefined();
  });

  it('refuses a stale session without a code (403) and accepts the e-mailed code (wrong codes counted)', async () => {
    const u = await createUser(t.database.db);
    const auth = bearer(await tokenFor(t.ctx, u));
    const stale = await del(auth);
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe('reauthentication_required');
    expect((await t.app.inject({ method: 'POST', url: '/me/delete-account/code', headers: auth })).statusCode).toBe(200);
    const code = await codeFromOutbox(u.email);
    const wrong = await del(auth, { code: code === '111111' ? '222222' : '111111' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'invalid_code', attemptsLeft: 4 });
    expect(await t.database.db.selectFrom('user').select('id').where('id', '=', u.id).executeTakeFirst()).toBeDefined();
    const ok = await del(auth, { code });
    expect(ok.statusCode).toBe(200);
    expect(await t.database.db.selectFrom('privacy_code').select('id').where('user_id', '=', u.id).execute()).toEqual([]);
  });

  it('counts a login older than the window as stale, and limits codes to 3 an hour', async () => {
    const u = await createUser(t.database.db);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', u.id).execute();
    const auth = bearer(await tokenFor(t.ctx, u));
    t.clock.advance(6 * 60_000);
    expect((await del(bearer(await tokenFor(t.ctx, u)))).statusCode).toBe(403);
    for (let i = 0; i < 3; i++)
      expect((await t.app.inject({ method: 'POST', url: '/me/delete-account/code', headers: auth })).statusCode).toBe(200);
    const limited = await t.app.inject({ method: 'POST', url: '/me/delete-account/code', headers: auth });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 401 without a token and for a forged one', async () => {
    expect((await del({})).statusCode).toBe(401);
    expect((await del(bearer('not-a-token'))).statusCode).toBe(401);
  });

  it('leaves a failed hold release to the payment-actions job: the erasure still commits', async () => {
    const e = await expertWithToken(t);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', e.user.id).execute();
    const asked = await askQuickConsult(t, e);
    const payment = await t.database.db
      .selectFrom('payment')
      .select('id')
      .where('question_id', '=', asked.questionId)
      .executeTakeFirstOrThrow();
    const cancel = t.ctx.payments.cancel;
    t.ctx.payments.cancel = async () => {
      throw new Error('provider down');
    };
    try {
      const res = await del(bearer(await tokenFor(t.ctx, e.user)));
      expect(res.statusCode).toBe(200);
      expect(res.json().counts.payment_hold_released).toBe(1);
    } finally {
      t.ctx.payments.cancel = cancel;
    }
    const pending = await t.database.db.selectFrom('payment').selectAll().where('id', '=', payment.id).executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ pending_action: 'cancel', status: 'authorized', question_id: null });
    await makeJobsDue(t.ctx, 'payment-action');
    await runDuePaymentActions(t.ctx);
    const after = await t.database.db
      .selectFrom('payment')
      .select(['status', 'pending_action'])
      .where('id', '=', payment.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'refunded', pending_action: null });
    const intent = await t.database.db
      .selectFrom('simulated_payment_intent')
      .select('status')
      .where('id', '=', asked.intentId)
      .executeTakeFirstOrThrow();
    expect(intent.status).toBe('canceled');
  });

  // Two deletions racing need two connections: PGlite serialises everything on one.
  it.runIf(isPostgres())('erases once when the same deletion is sent twice at the same time; both get the same receipt', async () => {
    const e = await expertWithToken(t);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', e.user.id).execute();
    await askQuickConsult(t, e);
    const headers = { ...bearer(await tokenFor(t.ctx, e.user)), 'idempotency-key': 'concurrent-delete-1' };
    const [a, b] = await Promise.all([del(headers), del(headers)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().deletion_id).toBe(b.json().deletion_id);
    const audits = await t.database.db.selectFrom('erasure_audit').select('id').where('deletion_id', '=', a.json().deletion_id).execute();
    expect(audits).toHaveLength(1);
  });
});
