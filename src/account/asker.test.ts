import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { askQuickConsult, expertWithToken } from '../../test/question-helpers.ts';
import { deliverPendingEmails } from '../email/deliver.ts';
import { workFileDeletionOutbox } from '../file-deletion/service.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { pseudonym } from '../privacy/pseudonym.ts';
import { collectSubject, findResidue } from '../privacy/residue.ts';
import { runRetention } from '../privacy/retention.ts';
import { ERASED_EMAIL, ERASED_TITLE } from '../questions/queries.ts';
import { codeFromOutbox, hex, richExpert } from './test-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const request = (email: string) => t.app.inject({ method: 'POST', url: '/api/askers/erasure/request', payload: { email } });
const confirm = (email: string, code: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/askers/erasure/confirm', headers, payload: { email, code } });

describe('asker erasure', () => {
  it('erases everything tied to the address after the code proves it; the experts keep pseudonymised earnings', async () => {
    const db = t.database.db;
    const askerEmail = `Asker-${hex()}@Example.test`;
    const acc = await richExpert(t, { questions: 2, askerEmail });
    const email = askerEmail.toLowerCase();
    const [answered, open] = [acc.answeredIds[0] as number, acc.openIds[0] as number];
    const rated = await t.app.inject({
      method: 'POST',
      url: `/review/${acc.reviewTokens[0]}/feedback`,
      payload: { rating: 5, feedback_text: `thanks ${acc.marker} from the asker`, allow_testimonial: true },
    });
    expect(rated.statusCode).toBe(200);
    const subject = await collectSubject(db, [], [email, `ann${acc.marker}`, `thanks ${acc.marker}`, ...acc.askerKeys]);

    expect((await request(askerEmail)).statusCode).toBe(200);
    const code = await codeFromOutbox(t, email);
    const wrong = await confirm(email, code === '000000' ? '000001' : '000000');
    expect(wrong.statusCode).toBe(400);
    const res = await confirm(askerEmail, code, { 'idempotency-key': 'asker-erasure-01' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      ok: true,
      success: true,
      counts: { question: 2, answer: 1, payment_pseudonymised: 2, payment_hold_released: 1 },
    });
    expect(body.counts.media_asset).toBe(2);

    const questions = await db.selectFrom('question').selectAll().where('id', 'in', acc.questionIds).orderBy('id').execute();
    for (const q of questions) {
      expect(q).toMatchObject({
        payer_email: ERASED_EMAIL,
        payer_first_name: null,
        payer_last_name: null,
        title: ERASED_TITLE,
        text: null,
      });
      expect(q).toMatchObject({
        attachments: null,
        media_asset_id: null,
        playback_token_hash: null,
        expert_profile_id: acc.expert.profile.id,
      });
    }
    expect(questions.find((q) => q.id === open)).toMatchObject({ status: 'refunded', refund_reason: 'asker_erased' });
    expect(questions.find((q) => q.id === answered)?.status).toBe('closed');
    const answer = await db.selectFrom('answer').selectAll().where('question_id', '=', answered).executeTakeFirstOrThrow();
    expect(answer).toMatchObject({ rating: 5, feedback_text: null, allow_testimonial: false, text_response: `answer ${acc.marker}` });
    const payments = await db
      .selectFrom('payment')
      .selectAll()
      .where('question_id', 'in', acc.questionIds)
      .orderBy('question_id')
      .execute();
    const payer = pseudonym(t.ctx.config.privacy.pseudonymSecret, 'payer', email);
    expect(payments.map((p) => [p.question_id, p.status, p.payer_pseudonym, p.retain_until])).toEqual(
      [
        [answered, 'captured', payer, null],
        [open, 'refunded', payer, null],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    for (const token of acc.reviewTokens) expect((await t.app.inject({ method: 'GET', url: `/review/${token}` })).statusCode).toBe(410);
    for (const url of acc.askerUrls) expect((await t.app.inject({ method: 'GET', url: new URL(url).pathname })).statusCode).toBe(410);
    // The expert still sees the question, without the asker's words.
    const inbox = await t.app.inject({ method: 'GET', url: '/me/questions', headers: acc.expert.auth });
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).not.toContain(email);

    const again = await confirm(email, code, { 'idempotency-key': 'asker-erasure-01' });
    expect(again.statusCode).toBe(200);
    expect(again.json().deletion_id).toBe(body.deletion_id);
    expect((await confirm(email, code, { 'idempotency-key': 'asker-erasure-02' })).statusCode).toBe(410);

    const confirmation = await db
      .selectFrom('email_outbox')
      .select('id')
      .where('template', '=', 'asker-erased')
      .where('to_address', '=', email)
      .execute();
    expect(confirmation).toHaveLength(1);
    const pending = await findResidue(db, subject, { exhaustive: true, allowEmailOutboxIds: confirmation.map((c) => c.id) });
    expect(pending.filter((h) => !['simulated_payment_intent', 'file_deletion_outbox'].includes(h.table))).toEqual([]);
    await workFileDeletionOutbox(t.ctx);
    for (const key of acc.askerKeys) expect(await t.ctx.storage.head(key)).toBeNull();
    await deliverPendingEmails(t.ctx, { limit: 500 });
    await runRetention(t.ctx, false);
    expect(await findResidue(db, subject, { exhaustive: true })).toEqual([]);
    // The expert's own files and account are untouched.
    expect(await db.selectFrom('user').select('id').where('id', '=', acc.expert.user.id).executeTakeFirst()).toBeDefined();
  });

  it('answers the same for an address that asked nothing, and limits codes to 3 an hour', async () => {
    const email = `nobody-${hex()}@example.test`;
    const res = await request(email);
    expect(res.statusCode).toBe(200);
    expect(res.json().message).toContain('If this address');
    await request(email);
    await request(email);
    const limited = await request(email);
    expect(limited.statusCode).toBe(429);
    const code = await codeFromOutbox(t, email);
    const done = await confirm(email, code);
    expect(done.statusCode).toBe(200);
    expect(done.json().counts.question).toBe(0);
  });

  it('rejects an invalid address, a malformed code and a code that was never sent', async () => {
    expect((await request('not-an-email')).statusCode).toBe(400);
    expect((await confirm('a@example.test', '12ab56')).statusCode).toBe(400);
    expect((await confirm(`never-${hex()}@example.test`, '123456')).statusCode).toBe(410);
  });

  it('leaves another asker of the same expert untouched', async () => {
    const e = await expertWithToken(t);
    const mine = `me-${hex()}@example.test`;
    const theirs = `them-${hex()}@example.test`;
    await askQuickConsult(t, e, { payerEmail: mine });
    const kept = await askQuickConsult(t, e, { payerEmail: theirs, title: 'Their question' });
    await request(mine);
    expect((await confirm(mine, await codeFromOutbox(t, mine))).statusCode).toBe(200);
    const q = await t.database.db
      .selectFrom('question')
      .select(['payer_email', 'title'])
      .where('id', '=', kept.questionId)
      .executeTakeFirstOrThrow();
    expect(q).toEqual({ payer_email: theirs, title: 'Their question' });
  });
});
