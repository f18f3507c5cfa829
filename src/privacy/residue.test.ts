/**
 * Property: for any account graph (with or without an expert profile; any number of questions,
 * answers, recordings, attachments, campaigns, visits, feedback, tokens, uploads, e-mails), deleting
 * the account through the API leaves nothing tied to the person anywhere in the schema, and
 * touches nothing of a bystander who shares the same asker.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { bearer, createExpert, createUser, tokenFor } from '../../test/factories.ts';
import { hex, storedRecording, storeObject } from '../account/test-helpers.ts';
import { deliverPendingEmails } from '../email/deliver.ts';
import { workFileDeletionOutbox } from '../file-deletion/service.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { collectSubject, findResidue } from './residue.ts';
import { runRetention } from './retention.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const QuestionShape = fc.record({
  answered: fc.boolean(),
  recording: fc.boolean(),
  attachment: fc.boolean(),
  answerAttachment: fc.boolean(),
  payment: fc.constantFrom('none', 'authorized', 'captured', 'refunded'),
  visit: fc.boolean(),
});
const Graph = fc.record({
  expert: fc.boolean(),
  questions: fc.array(QuestionShape, { maxLength: 4 }),
  campaigns: fc.nat({ max: 2 }),
  visits: fc.nat({ max: 3 }),
  feedback: fc.nat({ max: 2 }),
  magicLinks: fc.nat({ max: 2 }),
  uploads: fc.nat({ max: 2 }),
  emails: fc.nat({ max: 2 }),
  picture: fc.boolean(),
});
type GraphT = typeof Graph extends fc.Arbitrary<infer G> ? G : never;

async function build(g: GraphT, asker: string) {
  const db = t.database.db;
  const marker = `pt${hex()}`;
  const needles = [marker];
  const keys: string[] = [];
  const base = g.expert ? await createExpert(db) : { user: await createUser(db), profile: null };
  const email = `${marker}@prop.test`;
  await db
    .updateTable('user')
    .set({ email, name: `N ${marker}`, last_login_at: t.ctx.now() })
    .where('id', '=', base.user.id)
    .execute();
  needles.push(email);
  const profile = base.profile;
  if (profile && g.picture) {
    const p = await storeObject(t, 'picture', marker);
    keys.push(p.key);
    await db.updateTable('expert_profile').set({ avatar_url: p.url }).where('id', '=', profile.id).execute();
  }
  const campaigns: number[] = [];
  for (let i = 0; profile && i < g.campaigns; i++) {
    const c = await db
      .insertInto('utm_campaign')
      .values({ expert_profile_id: profile.id, name: `c ${marker}`, utm_source: 's', utm_campaign: `${marker}${i}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    campaigns.push(c.id);
  }
  for (const [i, q] of (profile ? g.questions : []).entries()) {
    const rec = q.recording ? await storedRecording(t, marker) : null;
    const att = q.attachment ? await storeObject(t, 'attachment', marker) : null;
    for (const k of [rec?.key, att?.key]) if (k) keys.push(k);
    const row = await db
      .insertInto('question')
      .values({
        expert_profile_id: profile?.id as number,
        payer_email: asker,
        // The asker's own words are the asker's data (they may come back to them in a notice): no marker.
        payer_first_name: 'Asker',
        title: 'A question',
        text: 'Some details',
        price_cents: 5000,
        status: q.answered ? 'closed' : 'paid',
        answered_at: q.answered ? t.ctx.now() : null,
        media_asset_id: rec?.mediaAssetId ?? null,
        attachments: att ? JSON.stringify([{ name: 'f.pdf', url: att.url, size: 1, type: 'application/pdf' }]) : null,
        playback_token_hash: hex(32),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (q.answered) {
      const a = q.answerAttachment ? await storeObject(t, 'attachment', marker) : null;
      if (a) keys.push(a.key);
      await db
        .insertInto('answer')
        .values({
          question_id: row.id,
          user_id: base.user.id,
          text_response: `answer ${marker}`,
          attachments: a ? JSON.stringify([{ name: 'a.pdf', url: a.url }]) : null,
        })
        .execute();
    }
    if (q.payment !== 'none') {
      await db
        .insertInto('payment')
        .values({ question_id: row.id, stripe_payment_intent_id: `pi_prop_${hex(8)}_${i}`, amount_cents: 5000, status: q.payment })
        .execute();
    }
    if (q.visit && campaigns[0]) {
      await db
        .insertInto('campaign_visit')
        .values({
          campaign_id: campaigns[0],
          expert_profile_id: profile?.id as number,
          question_id: row.id,
          visitor_ip_hash: `ip${marker}`,
        })
        .execute();
    }
  }
  for (let i = 0; campaigns[0] && i < g.visits; i++) {
    await db
      .insertInto('campaign_visit')
      .values({ campaign_id: campaigns[0], expert_profile_id: profile?.id as number, user_agent: `ua ${marker}` })
      .execute();
  }
  for (let i = 0; i < g.feedback; i++) {
    await db
      .insertInto('feedback')
      .values({ type: 'feedback', message: `message ${marker} long enough`, email: i ? email : null, user_id: i ? null : base.user.id })
      .execute();
  }
  for (let i = 0; i < g.magicLinks; i++) {
    await db
      .insertInto('magic_link_token')
      .values({ email, token_hash: `${marker}${i}`, expires_at: t.ctx.now() })
      .execute();
  }
  for (let i = 0; i < g.uploads; i++) {
    const up = await storeObject(t, 'attachment', marker);
    keys.push(up.key);
    await db
      .insertInto('upload_session')
      .values({
        kind: 'attachment',
        target: 'storage',
        object_key: up.key,
        user_id: base.user.id,
        status: 'uploaded',
        created_at: t.ctx.now(),
        expires_at: new Date(t.ctx.now().getTime() + 3600_000),
      })
      .execute();
  }
  for (let i = 0; i < g.emails; i++) {
    await db
      .insertInto('email_outbox')
      .values({
        template: 'welcome',
        to_address: email,
        subject: 's',
        text_body: `hello ${marker}`,
        html_body: 'h',
        status: i ? 'sent' : 'pending',
      })
      .execute();
  }
  return { user: base.user, email, needles: [...needles, ...keys], keys };
}

/** A digest of the rows a bystander owns, to prove the erasure never touches them. */
async function bystanderDigest(profileId: number) {
  const r = await sql<{ d: string }>`
    SELECT md5(coalesce((SELECT string_agg(q::text, '|' ORDER BY q.id) FROM question q WHERE q.expert_profile_id = ${profileId}), '') ||
               coalesce((SELECT string_agg(p::text, '|' ORDER BY p.id) FROM payment p JOIN question q ON q.id = p.question_id
                         WHERE q.expert_profile_id = ${profileId}), '')) AS d`.execute(t.database.db);
  return r.rows[0]?.d;
}

describe('residue after account deletion (property)', () => {
  it('finds nothing tied to the person for any account graph, and leaves bystanders untouched', async () => {
    const bystander = await createExpert(t.database.db);
    const asker = `shared-${hex()}@asker.test`;
    await t.database.db
      .insertInto('question')
      .values({ expert_profile_id: bystander.profile.id, payer_email: asker, title: 'kept', price_cents: 100, status: 'paid' })
      .execute();
    await fc.assert(
      fc.asyncProperty(Graph, async (g) => {
        const before = await bystanderDigest(bystander.profile.id);
        const acc = await build(g, asker);
        const subject = await collectSubject(t.database.db, [{ table: 'user', ids: [acc.user.id] }], acc.needles);
        const res = await t.app.inject({ method: 'DELETE', url: '/me/delete-account', headers: bearer(await tokenFor(t.ctx, acc.user)) });
        expect(res.statusCode).toBe(200);
        await workFileDeletionOutbox(t.ctx, { limit: 1000 });
        for (const key of acc.keys) expect(await t.ctx.storage.head(key)).toBeNull();
        await deliverPendingEmails(t.ctx, { limit: 1000 });
        await runRetention(t.ctx, false);
        expect(await findResidue(t.database.db, subject, { exhaustive: true })).toEqual([]);
        expect(await bystanderDigest(bystander.profile.id)).toBe(before);
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
