/**
 * Test data for erasure: a rich account built through the real routes where they exist (questions
 * with payment holds, answers with capture, exports) and with plain inserts for the rest (media,
 * campaigns, visits, feedback, tokens), every value carrying a unique marker the residue check
 * searches for afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { TestApp } from '../../test/app.ts';
import { bearer, tokenFor } from '../../test/factories.ts';
import { askQuickConsult, type ExpertWithToken, expertWithToken } from '../../test/question-helpers.ts';
import { attachmentKey, audioKey, profilePictureKey } from '../media/keys.ts';
import { objectUrl } from '../media/urls.ts';

export const hex = (n = 6) => randomBytes(n).toString('hex');

/** A stored object under our key layout; returns its key and public URL. */
export async function storeObject(t: TestApp, kind: 'audio' | 'attachment' | 'picture', marker: string) {
  const now = t.ctx.now();
  const key =
    kind === 'audio' ? audioKey(now, 'webm') : kind === 'picture' ? profilePictureKey(now, 'png') : attachmentKey(now, `${marker}.pdf`);
  await t.ctx.storage.put(key, Buffer.from(`file of ${marker}`), {
    contentType: kind === 'picture' ? 'image/png' : 'application/octet-stream',
  });
  return { key, url: objectUrl(t.ctx, key) };
}

/** A ready media row with one stored audio object (a recording). */
export async function storedRecording(t: TestApp, marker: string) {
  const obj = await storeObject(t, 'audio', marker);
  const db = t.database.db;
  const asset = await db
    .insertInto('media_asset')
    .values({ provider: 'cloudflare_r2', asset_id: obj.key, status: 'ready', url: obj.url, created_at: t.ctx.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('media_asset_object').values({ media_asset_id: asset.id, target: 'storage', object_key: obj.key }).execute();
  return { mediaAssetId: asset.id, key: obj.key, url: obj.url };
}

export interface RichAccount {
  expert: ExpertWithToken;
  email: string;
  marker: string;
  askerEmail: string;
  questionIds: number[];
  answeredIds: number[];
  openIds: number[];
  reviewTokens: string[];
  keys: string[];
  fileUrls: string[];
  /** The files the asker sent (recordings, attachments). */
  askerKeys: string[];
  askerUrls: string[];
}

/**
 * An expert with a picture, `questions` paid questions (each with a recording and an attachment,
 * half of them answered with an attachment), a campaign with visits, feedback, sign-in tokens,
 * an unregistered upload and a fresh login (so that deletion needs no code).
 */
export async function richExpert(t: TestApp, opts: { questions?: number; askerEmail?: string } = {}): Promise<RichAccount> {
  const marker = `mk${hex()}`;
  const db = t.database.db;
  const expert = await expertWithToken(t);
  const email = `${marker}@expert.test`;
  const picture = await storeObject(t, 'picture', marker);
  await db
    .updateTable('user')
    .set({ email, name: `Name ${marker}`, fname: `F${marker}`, last_login_at: t.ctx.now() })
    .where('id', '=', expert.user.id)
    .execute();
  await db
    .updateTable('expert_profile')
    .set({ avatar_url: picture.url, bio: `bio ${marker}` })
    .where('id', '=', expert.profile.id)
    .execute();
  expert.token = await tokenFor(t.ctx, expert.user);
  expert.auth = bearer(expert.token);
  const askerEmail = opts.askerEmail ?? `asker-${hex()}@asker.test`;
  const keys = [picture.key];
  const fileUrls = [picture.url];
  const questionIds: number[] = [];
  const answeredIds: number[] = [];
  const reviewTokens: string[] = [];
  const askerKeys: string[] = [];
  const askerUrls: string[] = [];
  const n = opts.questions ?? 4;
  for (let i = 0; i < n; i++) {
    const rec = await storedRecording(t, marker);
    const att = await storeObject(t, 'attachment', marker);
    keys.push(rec.key, att.key);
    fileUrls.push(rec.url, att.url);
    askerKeys.push(rec.key, att.key);
    askerUrls.push(rec.url, att.url);
    const asked = await askQuickConsult(t, expert, {
      payerEmail: askerEmail,
      payerFirstName: `Ann${marker}`,
      media_asset_id: rec.mediaAssetId,
      attachments: [{ name: `${marker}.pdf`, url: att.url, size: 10, type: 'application/pdf' }],
    });
    questionIds.push(asked.questionId);
    reviewTokens.push(asked.reviewToken);
    if (i % 2 === 0) {
      const answerFile = await storeObject(t, 'attachment', marker);
      keys.push(answerFile.key);
      fileUrls.push(answerFile.url);
      const res = await t.app.inject({
        method: 'POST',
        url: '/answer',
        headers: expert.auth,
        payload: {
          question_id: asked.questionId,
          text_response: `answer ${marker}`,
          attachments: [{ name: 'a.pdf', url: answerFile.url, size: 10, type: 'application/pdf' }],
        },
      });
      if (res.statusCode !== 200) throw new Error(`answer failed: ${res.statusCode} ${res.body}`);
      answeredIds.push(asked.questionId);
    }
  }
  const campaign = await db
    .insertInto('utm_campaign')
    .values({ expert_profile_id: expert.profile.id, name: `camp ${marker}`, utm_source: 'x', utm_campaign: marker })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('campaign_visit')
    .values([
      { campaign_id: campaign.id, expert_profile_id: expert.profile.id, visitor_ip_hash: `ip${marker}`, user_agent: `ua ${marker}` },
      { campaign_id: campaign.id, expert_profile_id: expert.profile.id, question_id: questionIds[0] ?? null, converted_to_question: true },
    ])
    .execute();
  const fb = await db
    .insertInto('feedback')
    .values({ type: 'bug', message: `feedback text ${marker}`, email, user_id: expert.user.id, context: JSON.stringify({ email }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('feedback_attachment').values({ feedback_id: fb.id, name: 'shot.png', url: picture.url }).execute();
  await db
    .insertInto('magic_link_token')
    .values({ email, token_hash: `th${marker}`, expires_at: t.ctx.now(), user_id: expert.user.id })
    .execute();
  const upload = await storeObject(t, 'attachment', marker);
  keys.push(upload.key);
  fileUrls.push(upload.url);
  await db
    .insertInto('upload_session')
    .values({
      kind: 'attachment',
      target: 'storage',
      object_key: upload.key,
      user_id: expert.user.id,
      ip_hash: `ip${marker}`,
      original_name: `${marker}.pdf`,
      status: 'uploaded',
      created_at: t.ctx.now(),
      expires_at: new Date(t.ctx.now().getTime() + 3600_000),
    })
    .execute();
  const openIds = questionIds.filter((id) => !answeredIds.includes(id));
  return { expert, email, marker, askerEmail, questionIds, answeredIds, openIds, reviewTokens, keys, fileUrls, askerKeys, askerUrls };
}

/** The 6-digit code of the latest erasure-code e-mail to `to`. */
export async function codeFromOutbox(t: TestApp, to: string): Promise<string> {
  const mail = await t.database.db
    .selectFrom('email_outbox')
    .select('text_body')
    .where('template', '=', 'privacy-code')
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const code = /\b(\d{6})\b/.exec(mail.text_body)?.[1];
  if (!code) throw new Error('no code in the e-mail');
  return code;
}
