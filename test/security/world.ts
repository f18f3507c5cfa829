/**
 * Seeded data for the security matrices: the identities (an owner expert, another expert, a
 * signed-in user without a profile, a super and a support admin), fresh objects of every kind per
 * identity, and objects that were deleted (an erased account's questions, review links, campaign,
 * media and export; a deleted media row, feedback item and flag).
 */
import { signAdminSession } from '../../src/admin/session.ts';
import { signSession } from '../../src/auth/jwt.ts';
import { webm } from '../../src/media/test-helpers.ts';
import type { TestApp } from '../app.ts';
import { bearer, createExpert, createUser } from '../factories.ts';
import { holdFor, questionBody } from '../question-helpers.ts';
import type { Access, Identity, ObjectKind, ObjectState } from './types.ts';

type Expert = Awaited<ReturnType<typeof createExpert>>;

export interface Person {
  key: string;
  userId: number;
  email: string;
  expert: Expert | null;
  adminId: number | null;
}

/** What the erased account left behind: ids and tokens that must now answer 404/410/401. */
export interface Gone {
  token: string;
  userId: number;
  questionId: number;
  reviewToken: string;
  campaignId: number;
  mediaId: number;
  exportToken: string;
  handle: string;
  feedbackId: number;
  flagKey: string;
}

export const MISSING_ID = 2_000_000_000;
export type PersonKind = 'expert' | 'user' | 'super_admin' | 'support_admin';
let handles = 0;

export class World {
  readonly t: TestApp;
  readonly people: Record<'owner' | 'other' | 'plain' | 'admin' | 'support', Person>;
  gone!: Gone;
  private n = 0;
  private shared = new Map<string, string | number>();
  /** Review tokens of questions, by question id (the asker's secret, returned once). */
  readonly reviewTokens = new Map<number, string>();
  /** Every secret value the world handed out: none may appear in a response to someone else. */
  readonly secrets = new Set<string>();

  private constructor(t: TestApp, people: World['people']) {
    this.t = t;
    this.people = people;
  }

  /** A new person of this kind (experts: public, both tiers priced; admins: enabled). */
  static async person(t: TestApp, key: string, kind: PersonKind): Promise<Person> {
    const db = t.database.db;
    if (kind === 'expert') {
      // A private auto-decline threshold below the asks of the matrices: it must never reach anyone but its expert.
      const e = await createExpert(db, {
        handle: `sec${key}${Date.now().toString(36)}${++handles}`.slice(0, 30),
        tier2_auto_decline_below_cents: 7_777,
      });
      return { key, userId: e.user.id, email: e.user.email, expert: e, adminId: null };
    }
    const u = await createUser(db, { name: `Sec ${key}` });
    let adminId: number | null = null;
    if (kind !== 'user') {
      adminId = (await db.insertInto('admin_users').values({ user_id: u.id, role: kind }).returning('id').executeTakeFirstOrThrow()).id;
    }
    return { key, userId: u.id, email: u.email, expert: null, adminId };
  }

  static async create(t: TestApp): Promise<World> {
    const person = (key: string, kind: PersonKind) => World.person(t, key, kind);
    const w = new World(t, {
      owner: await person('owner', 'expert'),
      other: await person('other', 'expert'),
      plain: await person('plain', 'user'),
      admin: await person('admin', 'super_admin'),
      support: await person('support', 'support_admin'),
    });
    w.gone = await w.seedGone();
    return w;
  }

  seq(): number {
    return ++this.n;
  }

  /** A fresh client address per request, so that route limiters never mix the matrices' requests. */
  ip(): string {
    const n = this.seq();
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  /** A valid main session of the person, under their current token version. */
  async mainToken(p: Person): Promise<string> {
    const u = await this.t.database.db.selectFrom('user').select('token_version').where('id', '=', p.userId).executeTakeFirstOrThrow();
    return signSession(this.t.ctx.config.jwtSecret, { userId: p.userId, tokenVersion: u.token_version }, this.t.ctx.now());
  }

  /** A valid admin session of the person (as POST /api/auth/verify issues it). */
  async adminToken(p: Person): Promise<string> {
    const a = await this.t.database.db
      .selectFrom('admin_users as a')
      .innerJoin('user as u', 'u.id', 'a.user_id')
      .select(['a.id', 'a.token_version as av', 'u.token_version as uv'])
      .where('a.id', '=', p.adminId as number)
      .executeTakeFirstOrThrow();
    const claims = { adminId: a.id, userId: p.userId, adminVersion: a.av, userVersion: a.uv };
    return signAdminSession(this.t.ctx.config.jwtSecret, claims, this.t.ctx.now(), this.t.ctx.config.adminSessionMinutes * 60);
  }

  /** The credentials an identity presents to a route of this access class. */
  async headersFor(identity: Identity, access: Access): Promise<Record<string, string>> {
    if (identity === 'anonymous') return {};
    const p = this.people[identity];
    if (identity === 'admin' && (access === 'admin' || access === 'super_admin')) {
      return { cookie: `admin_session=${await this.adminToken(p)}` };
    }
    return bearer(await this.mainToken(p));
  }

  expertOf(owner: 'owner' | 'other'): Expert {
    return this.people[owner].expert as Expert;
  }

  /** A question to the expert with a fresh hold, from a fresh address (the creation routes are limited per IP). */
  async askOf(e: Expert, payerEmail: string, tier: 'quick_consult' | 'deep_dive' = 'quick_consult') {
    const amount = tier === 'deep_dive' ? 20_000 : e.profile.tier1_price_cents;
    const intentId = await holdFor(this.t, amount);
    const body = questionBody(e.profile.handle as string, intentId, { payerEmail });
    const res = await this.t.app.inject({
      method: 'POST',
      url: tier === 'deep_dive' ? '/api/questions/deep-dive' : '/api/questions/quick-consult',
      payload: tier === 'deep_dive' ? { ...body, proposed_price_cents: amount, asker_message: 'Worth it?' } : body,
      remoteAddress: this.ip(),
    });
    if (res.statusCode !== 201) throw new Error(`question failed: ${res.statusCode} ${res.body}`);
    const asked = { questionId: res.json().data.questionId as number, reviewToken: res.json().data.review_token as string, intentId };
    this.reviewTokens.set(asked.questionId, asked.reviewToken);
    this.secrets.add(asked.reviewToken);
    this.secrets.add(asked.intentId);
    return asked;
  }

  private async ask(owner: 'owner' | 'other', state: ObjectState): Promise<number> {
    const e = this.expertOf(owner);
    const asked = await this.askOf(e, `asker-of-${owner}-${this.seq()}@asker.test`, state === 'dd_pending' ? 'deep_dive' : 'quick_consult');
    if (state === 'answered') {
      const res = await this.t.app.inject({
        method: 'POST',
        url: '/answer',
        headers: bearer(await this.mainToken(this.people[owner])),
        payload: { question_id: asked.questionId, text_response: 'The answer, in short.' },
      });
      if (res.statusCode !== 200) throw new Error(`answer failed: ${res.statusCode} ${res.body}`);
    }
    return asked.questionId;
  }

  /** A recording uploaded and registered with the person's session: theirs, and unattached. */
  async media(p: Person): Promise<number> {
    const headers = bearer(await this.mainToken(p));
    const up = await this.t.app.inject({
      method: 'POST',
      url: '/api/media/upload-audio',
      headers: { ...headers, 'content-type': 'audio/webm' },
      payload: webm(40),
      remoteAddress: this.ip(),
    });
    if (up.statusCode !== 200) throw new Error(`upload failed: ${up.statusCode} ${up.body}`);
    const reg = await this.t.app.inject({
      method: 'POST',
      url: '/media_asset',
      headers,
      payload: { provider: 'cloudflare_r2', asset_id: up.json().data.uid, status: 'ready' },
      remoteAddress: this.ip(),
    });
    if (reg.statusCode !== 200) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
    return reg.json().id;
  }

  private async campaign(p: Person): Promise<number> {
    const n = this.seq();
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/marketing/campaigns',
      headers: bearer(await this.mainToken(p)),
      payload: { name: `Campaign ${n}`, utm_source: `src${n}`, utm_campaign: `camp${n}` },
    });
    if (res.statusCode !== 201) throw new Error(`campaign failed: ${res.statusCode} ${res.body}`);
    return res.json().id;
  }

  private async exportToken(p: Person): Promise<string> {
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/me/export',
      headers: bearer(await this.mainToken(p)),
      remoteAddress: this.ip(),
    });
    if (res.statusCode !== 200) throw new Error(`export failed: ${res.statusCode} ${res.body}`);
    const token = String(res.json().download_url).split('/').pop() as string;
    this.secrets.add(token);
    return token;
  }

  async feedback(): Promise<number> {
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: { type: 'bug', message: `Something broke #${this.seq()}` },
      remoteAddress: this.ip(),
    });
    if (res.statusCode !== 201) throw new Error(`feedback failed: ${res.statusCode} ${res.body}`);
    return res.json().id;
  }

  async flag(): Promise<string> {
    const key = `sec_flag_${this.seq()}`;
    await this.t.database.db
      .insertInto('feature_flags')
      .values({ key, name: `Flag ${key}`, enabled: false })
      .execute();
    return key;
  }

  /**
   * An object of `kind` belonging to the owner or the other expert, in `state`. Read-only routes
   * share one object per (kind, owner, state); writes get a fresh one each time.
   */
  async object(kind: ObjectKind, owner: 'owner' | 'other', state: ObjectState, fresh: boolean): Promise<string | number> {
    const cacheKey = `${kind}:${owner}:${state}`;
    const cached = this.shared.get(cacheKey);
    if (!fresh && cached !== undefined) return cached;
    const p = this.people[owner];
    let ref: string | number;
    switch (kind) {
      case 'question':
        ref = await this.ask(owner, state === 'any' ? 'qc_paid' : state);
        break;
      case 'review':
        ref = this.reviewTokens.get(await this.ask(owner, state === 'any' ? 'qc_paid' : state)) as string;
        break;
      case 'media':
        ref = await this.media(p);
        break;
      case 'campaign':
        ref = await this.campaign(p);
        break;
      case 'export':
        ref = await this.exportToken(p);
        break;
      case 'feedback':
        ref = await this.feedback();
        break;
      case 'flag':
        ref = await this.flag();
        break;
    }
    if (!fresh) this.shared.set(cacheKey, ref);
    return ref;
  }

  /** The id or token of a deleted object of this kind. */
  deleted(kind: ObjectKind): string | number {
    const g = this.gone;
    return {
      question: g.questionId,
      review: g.reviewToken,
      campaign: g.campaignId,
      media: g.mediaId,
      export: g.exportToken,
      feedback: g.feedbackId,
      flag: g.flagKey,
    }[kind];
  }

  /** An expert with a question, campaign, recording and export, erased through DELETE /me/delete-account. */
  private async seedGone(): Promise<Gone> {
    const db = this.t.database.db;
    const goner = await World.person(this.t, 'gone', 'expert');
    const questionId = await this.askOf(goner.expert as Expert, 'asker-of-gone@asker.test');
    const campaignId = await this.campaign(goner);
    await this.media(goner);
    const exportToken = await this.exportToken(goner);
    await db.updateTable('user').set({ last_login_at: this.t.ctx.now() }).where('id', '=', goner.userId).execute();
    const token = await this.mainToken(goner);
    const del = await this.t.app.inject({ method: 'DELETE', url: '/me/delete-account', headers: bearer(token), remoteAddress: this.ip() });
    if (del.statusCode !== 200) throw new Error(`account deletion failed: ${del.statusCode} ${del.body}`);

    // Deleted objects outside an erasure: a media row its owner deleted, soft-deleted feedback, a deleted flag.
    const owner = this.people.owner;
    const ownMedia = await this.media(owner);
    const rm = await this.t.app.inject({ method: 'DELETE', url: `/media_asset/${ownMedia}`, headers: bearer(await this.mainToken(owner)) });
    if (rm.statusCode !== 200) throw new Error(`media delete failed: ${rm.statusCode} ${rm.body}`);
    const feedbackId = await this.feedback();
    await db.updateTable('feedback').set({ deleted_at: this.t.ctx.now() }).where('id', '=', feedbackId).execute();
    const flagKey = await this.flag();
    await db.deleteFrom('feature_flags').where('key', '=', flagKey).execute();
    return {
      token,
      userId: goner.userId,
      questionId: questionId.questionId,
      reviewToken: questionId.reviewToken,
      campaignId,
      mediaId: ownMedia,
      exportToken,
      handle: goner.expert?.profile.handle as string,
      feedbackId,
      flagKey,
    };
  }

  /** The stored state of an object (and what hangs off it), to prove a refused request changed nothing. */
  async snapshot(kind: ObjectKind, ref: string | number): Promise<string> {
    const db = this.t.database.db;
    const byToken = (token: string) => [...this.reviewTokens].find(([, v]) => v === token)?.[0] ?? -1;
    const qid = kind === 'question' ? Number(ref) : kind === 'review' ? byToken(String(ref)) : null;
    if (qid !== null) {
      const question = await db.selectFrom('question').selectAll().where('id', '=', qid).executeTakeFirst();
      const payment = await db.selectFrom('payment').selectAll().where('question_id', '=', qid).executeTakeFirst();
      const answer = await db.selectFrom('answer').selectAll().where('question_id', '=', qid).executeTakeFirst();
      return JSON.stringify({ question, payment, answer });
    }
    if (kind === 'media') {
      const row = await db.selectFrom('media_asset').selectAll().where('id', '=', Number(ref)).executeTakeFirst();
      const objects = await db.selectFrom('media_asset_object').selectAll().where('media_asset_id', '=', Number(ref)).execute();
      return JSON.stringify({ row, objects });
    }
    if (kind === 'campaign')
      return JSON.stringify(await db.selectFrom('utm_campaign').selectAll().where('id', '=', Number(ref)).executeTakeFirst());
    if (kind === 'feedback') {
      const row = await db.selectFrom('feedback').selectAll().where('id', '=', Number(ref)).executeTakeFirst();
      const comments = await db.selectFrom('feedback_comment').select('id').where('feedback_id', '=', Number(ref)).execute();
      const tags = await db.selectFrom('feedback_tag_link').selectAll().where('feedback_id', '=', Number(ref)).execute();
      return JSON.stringify({ row, comments, tags });
    }
    if (kind === 'flag')
      return JSON.stringify(await db.selectFrom('feature_flags').selectAll().where('key', '=', String(ref)).executeTakeFirst());
    return '';
  }
}
