/** Legacy `question` and `answer` → ours. */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { hashReviewToken, LEGACY_TOKEN } from '../questions/review-token.ts';
import { bool, id, int, json, pick, type Repair, str, ts } from './convert.ts';
import { existing, ids, owners } from './lookups.ts';
import { mapByLegacyId } from './row-map.ts';
import type { Issue, LegacyRow, TableSpec } from './types.ts';

const STATUSES = new Set(['paid', 'declined', 'closed', 'refunded', 'answered', 'draft', 'pending_payment', 'accepted']);
const PRICING = new Set(['paid', 'offer_pending', 'offer_accepted', 'offer_declined', 'offer_expired', 'refunded']);

async function mediaOwners(db: Db, source: string, type: 'question' | 'answer', rows: LegacyRow[]): Promise<Map<number, number>> {
  const want = ids(rows, 'id').filter((v): v is number => v !== null);
  if (!want.length) return new Map();
  const { rows: found } = await sql<{ owner_id: number; media_asset_id: number }>`
    SELECT owner_id, media_asset_id FROM import_media_owner
    WHERE source = ${source} AND owner_type = ${type} AND owner_id = ANY(${want}::bigint[])`.execute(db);
  return new Map(found.map((f) => [Number(f.owner_id), Number(f.media_asset_id)]));
}

/** Our attachment entries are `{ name, url, size, type }`; anything else in the legacy list is dropped. */
function attachments(v: unknown, repair: Repair): unknown {
  const parsed = json(v, 'attachments', repair);
  if (parsed === null) return null;
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const clean = list
    .filter((a): a is Record<string, unknown> => Boolean(a) && typeof a === 'object' && typeof (a as { url?: unknown }).url === 'string')
    .map((a) => ({ name: str(a.name) ?? 'file', url: String(a.url), size: int(a.size), type: str(a.type ?? a.mime) }));
  if (clean.length !== list.length) repair('attachments: entries without url dropped');
  return clean;
}

/** A dangling optional reference: dropped and reported, never invented. */
function optionalRef(v: unknown, known: Set<number>, what: string, issues: Issue[], repair: Repair): number | null {
  const ref = id(v);
  if (ref === null || known.has(ref)) return ref;
  repair(`${what} points at a missing row → null`);
  issues.push({ kind: 'dangling_fk', detail: `${what} ${ref} does not exist` });
  return null;
}

interface QuestionLookup {
  experts: Set<number>;
  expertByUser: Map<number, number>;
  media: Set<number>;
  owned: Map<number, number>;
}

export const questionSpec: TableSpec<QuestionLookup> = {
  legacy: 'question',
  target: 'question',
  columns: {
    id: 'int',
    expert_profile_id: 'int',
    payer_email: 'text',
    payer_first_name: 'text',
    payer_last_name: 'text',
    title: 'text',
    text: 'text',
    attachments: 'json',
    media_asset_id: 'int',
    price_cents: 'int',
    currency: 'text',
    status: 'text',
    question_tier: 'text',
    pricing_status: 'text',
    proposed_price_cents: 'int',
    final_price_cents: 'int',
    asker_message: 'text',
    sla_hours_snapshot: 'int',
    sla_start_time: 'ts',
    sla_deadline: 'ts',
    sla_missed: 'bool',
    offer_expires_at: 'ts',
    decline_reason: 'text',
    expert_reviewed_at: 'ts',
    playback_token_hash: 'text',
    hidden: 'bool',
    payment_intent_id: 'text',
    checkout_session_id: 'text',
    paid_at: 'ts',
    recorded_at: 'ts',
    answered_at: 'ts',
    refunded_at: 'ts',
    created_at: 'ts',
  },
  changeColumns: ['created_at', 'answered_at', 'refunded_at', 'expert_reviewed_at', 'paid_at'],
  pagesIndependent: true,
  async prepare(db, rows, source) {
    const byUserIds = rows.filter((r) => !id(r.expert_profile_id) && id(r.user_id)).map((r) => id(r.user_id) as number);
    const { rows: byUser } = byUserIds.length
      ? await sql<{
          id: number;
          user_id: number;
        }>`SELECT id, user_id FROM expert_profile WHERE user_id = ANY(${byUserIds}::bigint[])`.execute(db)
      : { rows: [] };
    return {
      experts: await existing(db, 'expert_profile', ids(rows, 'expert_profile_id')),
      expertByUser: new Map(byUser.map((p) => [Number(p.user_id), Number(p.id)])),
      media: await existing(db, 'media_asset', ids(rows, 'media_asset_id')),
      owned: await mediaOwners(db, source, 'question', rows),
    };
  },
  map: (r, look) =>
    mapByLegacyId(r, (rowId, repair, issues) => {
      let expert = id(r.expert_profile_id);
      if (expert === null && id(r.user_id) !== null) {
        expert = look.expertByUser.get(id(r.user_id) as number) ?? null;
        if (expert !== null) repair('legacy column user_id → expert_profile_id');
      }
      if (expert === null || !look.experts.has(expert))
        return `expert_profile_id ${r.expert_profile_id} points at a missing expert profile`;
      const rawEmail = pick(r, 'payer_email', 'user_email', repair);
      const payerEmail = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
      if (!payerEmail.includes('@')) return 'missing payer_email';
      if (payerEmail !== rawEmail) repair('payer_email trimmed and lower-cased');
      const created = ts(r.created_at);
      if (!created) return 'missing created_at';
      const price = int(r.price_cents);
      if (price === null || price < 0) return `invalid price_cents ${r.price_cents}`;
      let first = str(r.payer_first_name);
      let last = str(r.payer_last_name);
      if (!first && !last && typeof r.user_name === 'string' && r.user_name.trim()) {
        const [f, ...rest] = r.user_name.trim().split(/\s+/);
        first = f ?? null;
        last = rest.join(' ') || null;
        repair('legacy column user_name → payer_first_name/payer_last_name');
      }
      let title = str(r.title)?.trim() ?? '';
      if (!title) {
        title = '(untitled)';
        repair('empty title → (untitled)');
      }
      let tier = str(r.question_tier);
      if (tier === 'tier1' || tier === 'tier2') {
        tier = tier === 'tier1' ? 'quick_consult' : 'deep_dive';
        repair('question_tier tier1|tier2 → quick_consult|deep_dive');
      }
      let pricing = str(r.pricing_status);
      if (tier !== 'quick_consult' && tier !== 'deep_dive') {
        tier = pricing?.startsWith('offer_') ? 'deep_dive' : 'quick_consult';
        repair('question_tier missing → from pricing_status');
      }
      let status = str(r.status) ?? '';
      const answeredAt = ts(r.answered_at);
      if (!STATUSES.has(status)) return `unknown status ${JSON.stringify(r.status)}`;
      if (status === 'answered' || (status === 'paid' && answeredAt)) {
        status = 'closed';
        repair('answered question → status closed');
      }
      if (!pricing || !PRICING.has(pricing)) {
        pricing = status === 'refunded' ? 'refunded' : 'paid';
        repair('pricing_status missing or unknown → from status');
      }
      let token = str(r.playback_token_hash);
      if (token && LEGACY_TOKEN.test(token)) {
        token = hashReviewToken(token);
        repair('review token stored hashed');
      }
      let media = optionalRef(r.media_asset_id, look.media, 'media_asset_id', issues, repair);
      if (media === null && look.owned.has(rowId)) {
        media = look.owned.get(rowId) ?? null;
        repair('media owner_type/owner_id → question.media_asset_id');
      }
      if (r.followup_parent_id) repair('followup_parent_id (unused) dropped');
      return {
        expert_profile_id: expert,
        payer_email: payerEmail,
        payer_first_name: first,
        payer_last_name: last,
        title,
        text: str(pick(r, 'text', 'question_text', repair)),
        attachments: attachments(r.attachments, repair),
        media_asset_id: media,
        price_cents: price,
        currency: (str(r.currency) ?? 'USD').toUpperCase(),
        status,
        question_tier: tier,
        pricing_status: pricing,
        proposed_price_cents: int(r.proposed_price_cents),
        final_price_cents: int(r.final_price_cents),
        asker_message: str(r.asker_message),
        sla_hours_snapshot: int(r.sla_hours_snapshot),
        sla_start_time: ts(r.sla_start_time),
        sla_deadline: ts(r.sla_deadline),
        sla_missed: bool(r.sla_missed, false),
        offer_expires_at: ts(r.offer_expires_at),
        decline_reason: str(r.decline_reason),
        expert_reviewed_at: ts(r.expert_reviewed_at),
        playback_token_hash: token,
        hidden: bool(r.hidden, false),
        payment_intent_id: str(pick(r, 'payment_intent_id', 'stripe_payment_intent_id', repair)),
        checkout_session_id: str(r.checkout_session_id),
        paid_at: ts(r.paid_at),
        recorded_at: ts(r.recorded_at),
        answered_at: answeredAt,
        refunded_at: ts(r.refunded_at),
        created_at: created,
      };
    }),
};

interface AnswerLookup {
  questions: Map<number, number>;
  media: Set<number>;
  owned: Map<number, number>;
  questionOwner: Map<string, number>;
}

export const answerSpec: TableSpec<AnswerLookup> = {
  legacy: 'answer',
  target: 'answer',
  columns: {
    id: 'int',
    question_id: 'int',
    user_id: 'int',
    text_response: 'text',
    media_asset_id: 'int',
    attachments: 'json',
    sent_at: 'ts',
    rating: 'int',
    feedback_text: 'text',
    feedback_at: 'ts',
    view_count: 'int',
    created_at: 'ts',
  },
  changeColumns: ['created_at', 'feedback_at'],
  async prepare(db, rows, source) {
    const qids = ids(rows, 'question_id').filter((v): v is number => v !== null);
    const { rows: qs } = qids.length
      ? await sql<{ id: number; user_id: number }>`
          SELECT q.id, p.user_id FROM question q JOIN expert_profile p ON p.id = q.expert_profile_id WHERE q.id = ANY(${qids}::bigint[])`.execute(
          db,
        )
      : { rows: [] };
    const { rows: taken } = qids.length
      ? await sql<{
          id: number;
          question_id: number;
        }>`SELECT id, question_id FROM answer WHERE question_id = ANY(${qids}::bigint[])`.execute(db)
      : { rows: [] };
    return {
      questions: new Map(qs.map((q) => [Number(q.id), Number(q.user_id)])),
      media: await existing(db, 'media_asset', ids(rows, 'media_asset_id')),
      owned: await mediaOwners(db, source, 'answer', rows),
      questionOwner: owners(
        taken.map((t) => ({ key: String(t.question_id), id: Number(t.id) })),
        rows.map((r) => ({ key: id(r.question_id) === null ? null : String(id(r.question_id)), id: id(r.id) })),
      ),
    };
  },
  map: (r, look) =>
    mapByLegacyId(r, (rowId, repair, issues) => {
      const qid = id(r.question_id);
      if (qid === null || !look.questions.has(qid)) return `question_id ${r.question_id} points at a missing question`;
      const owner = look.questionOwner.get(String(qid));
      if (owner !== undefined && owner !== rowId) return `question ${qid} already has answer ${owner}`;
      const created = ts(r.created_at);
      if (!created) return 'missing created_at';
      // The legacy POST /answer trusted a body user_id: the answering expert is the question's owner.
      const expertUser = look.questions.get(qid) as number;
      if (id(r.user_id) !== expertUser) repair("user_id → the question's expert");
      let rating = int(r.rating);
      if (rating !== null && (rating < 1 || rating > 5)) {
        repair(rating === 0 ? 'rating 0 (unrated) → null' : 'rating outside 1..5 → null');
        rating = null;
      }
      let media = optionalRef(r.media_asset_id, look.media, 'media_asset_id', issues, repair);
      if (media === null && look.owned.has(rowId)) {
        media = look.owned.get(rowId) ?? null;
        repair('media owner_type/owner_id → answer.media_asset_id');
      }
      if (r.media_uid || r.media_url) repair('legacy media_uid/url columns dropped');
      return {
        question_id: qid,
        user_id: expertUser,
        text_response: str(r.text_response),
        media_asset_id: media,
        attachments: attachments(r.attachments, repair),
        sent_at: ts(r.sent_at),
        rating,
        feedback_text: str(r.feedback_text),
        feedback_at: ts(r.feedback_at),
        view_count: Math.max(0, int(r.view_count) ?? 0),
        created_at: created,
      };
    }),
};
