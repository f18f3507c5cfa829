/**
 * A generated legacy Xano workspace: every row is a pure function of (table, id), so a workspace
 * of a million questions costs no memory and the same scale always yields the same rows. The
 * bulk rows carry the legacy defects of legacy-backend.md §9 on fixed id patterns; a few special
 * rows after the bulk carry the ones that cannot be repaired (dangling keys, duplicates).
 */
import { createHash } from 'node:crypto';

export type Row = Record<string, unknown>;

export const XANO_TABLES = [
  'user',
  'expert_profile',
  'media_asset',
  'question',
  'answer',
  'payment_table_structure',
  'utm_campaign',
  'campaign_visit',
  'magic_link_token',
  'question_coaching_sessions',
] as const;
export type XanoTable = (typeof XANO_TABLES)[number];

const BASE = Date.UTC(2025, 5, 1); // bulk rows are created from June 2025 on, one minute apart
const MIN = 60_000;
const HOUR = 3_600_000;

export interface Shape {
  questions: number;
  experts: number;
  media: number;
  answers: number;
  visits: number;
}

export function shape(questions: number): Shape {
  const experts = Math.max(3, Math.ceil(questions / 20));
  const blocks = Math.floor(questions / 10);
  const rest = questions % 10;
  return { questions, experts, media: Math.ceil(questions / 2), answers: blocks * 4 + Math.min(rest, 4), visits: Math.ceil(questions / 2) };
}

/** The number of special (defect) rows after the bulk, per table. */
const SPECIAL: Record<XanoTable, number> = {
  user: 2,
  expert_profile: 2,
  media_asset: 0,
  question: 3,
  answer: 2,
  payment_table_structure: 5,
  utm_campaign: 1,
  campaign_visit: 0,
  magic_link_token: 0,
  question_coaching_sessions: 0,
};

export function bulkCount(s: Shape, table: XanoTable): number {
  switch (table) {
    case 'user':
    case 'expert_profile':
    case 'utm_campaign':
    case 'magic_link_token':
      return s.experts;
    case 'media_asset':
      return s.media;
    case 'question':
    case 'payment_table_structure':
      return s.questions;
    case 'answer':
      return s.answers;
    case 'campaign_visit':
      return s.visits;
    case 'question_coaching_sessions':
      return 2;
  }
}

export function tableCount(s: Shape, table: XanoTable): number {
  return bulkCount(s, table) + SPECIAL[table];
}

/** Cloudflare Stream uids are 32 hex characters (VIDEO_UID); the fixture's are derived from a tag. */
export const streamUid = (tag: string) => createHash('md5').update(tag).digest('hex');

function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const reviewUuid = (q: number) => uuid(`review-${q}`);
export const questionCreatedMs = (q: number) => BASE + q * MIN;
const expertOf = (s: Shape, q: number) => ((q - 1) % s.experts) + 1;
/** Answer a belongs to question q: four answered questions in every ten (q % 10 in 1..4). */
export const answerQuestion = (a: number) => Math.floor((a - 1) / 4) * 10 + ((a - 1) % 4) + 1;
const isAnswered = (q: number) => q % 10 >= 1 && q % 10 <= 4;
const isDeepDive = (q: number) => q % 2 === 0;
const priceOf = (q: number) => (isDeepDive(q) ? 8000 + (q % 7) * 500 : 5000);

export function row(s: Shape, table: XanoTable, id: number): Row | undefined {
  if (id < 1 || id > tableCount(s, table)) return undefined;
  const special = id - bulkCount(s, table);
  if (special > 0) return specialRow(s, table, special, id);
  switch (table) {
    case 'user':
      return userRow(id);
    case 'expert_profile':
      return profileRow(id);
    case 'media_asset':
      return mediaRow(id);
    case 'question':
      return questionRow(s, id);
    case 'answer':
      return answerRow(s, id);
    case 'payment_table_structure':
      return paymentRow(id);
    case 'utm_campaign':
      return {
        id,
        expert_profile_id: id,
        name: `Launch ${id}`,
        url_slug: null,
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: `launch-${id}`,
        utm_content: null,
        utm_term: null,
        status: id % 4 === 0 ? 'paused' : 'active',
        total_visits: 0,
        total_questions: 0,
        total_revenue_cents: 0,
        conversion_rate: 0,
        created_at: BASE + id * HOUR,
        updated_at: BASE + id * HOUR,
        last_visit_at: null,
      };
    case 'campaign_visit':
      return visitRow(s, id);
    case 'magic_link_token':
      return {
        id,
        email: `user${id}@example.com`,
        token: uuid(`magic-${id}`),
        verification_code: '123456',
        user_id: null,
        expires_at: BASE + 900_000,
        used: true,
        used_at: BASE,
        ip_address: '203.0.113.9',
        created_at: BASE,
      };
    case 'question_coaching_sessions':
      return { id, question_id: id, transcript: 'coach', created_at: BASE };
  }
}

function userRow(id: number): Row {
  return {
    id,
    // legacy defect: addresses stored as typed (case, spaces)
    email: id % 10 === 3 ? `  User${id}@Example.COM ` : `user${id}@example.com`,
    name: id % 10 === 7 ? null : `Expert ${id}`,
    fname: `Ex${id}`,
    lname: 'Pert',
    address: null,
    city: null,
    zip: null,
    country: null,
    password: null,
    role: '',
    auth_provider: id % 10 === 4 ? '' : id % 3 === 0 ? 'google' : 'magic_link',
    auth_provider_id: `user${id}@example.com`,
    google_sub: null,
    google_oauth: null,
    linkedin_oauth: null,
    created_at: BASE - 30 * 24 * HOUR + id * MIN,
  };
}

function profileRow(id: number): Row {
  const handle = id === 2 ? ' expert1 ' : id % 10 === 5 ? `Expert  Five ${id}` : `expert${id}`;
  return {
    id,
    user_id: id,
    handle,
    bio: id % 10 === 8 ? 'x'.repeat(700) : `I answer questions (${id}).`,
    price_cents: id % 10 === 6 ? 0 : 75,
    sla_hours: 48,
    currency: id % 10 === 9 ? 'usd' : 'USD',
    public: true,
    status: 'SET',
    avatar_url: id % 2 ? `https://pub-legacy.r2.dev/profiles/${id}.jpg` : '',
    professional_title: 'Consultant',
    tagline: null,
    expertise: '["growth","pricing"]', // legacy defect: JSON kept as text
    socials: null,
    charity_percentage: id % 10 === 1 ? 150 : 0,
    selected_charity: null,
    accepting_questions: true,
    daily_digest_enabled: true,
    tier1_enabled: true,
    tier1_price_cents: 5000,
    tier1_sla_hours: 24,
    tier1_description: '',
    tier2_enabled: true,
    tier2_pricing_mode: 'asker_proposes',
    tier2_min_price_cents: 0,
    tier2_max_price_cents: 0,
    tier2_auto_decline_below_cents: null,
    tier2_sla_hours: 48,
    tier2_description: '',
    created_at: BASE - 29 * 24 * HOUR + id * MIN,
    updated_at: BASE - 29 * 24 * HOUR + id * MIN,
  };
}

/** Media k is the recording of question 2k-1 (odd questions carry one). */
function mediaRow(k: number): Row {
  const q = 2 * k - 1;
  const created = questionCreatedMs(q) - MIN;
  const base: Row = {
    id: k,
    provider: 'cloudflare_stream',
    asset_id: streamUid(`vid${k}`),
    duration_sec: 30,
    status: 'ready',
    url: `https://customer-o9wvts8h9krvlboh.cloudflarestream.com/${streamUid(`vid${k}`)}/manifest/video.m3u8`,
    metadata: null,
    segment_index: null,
    created_at: created,
  };
  if (k % 5 === 0) {
    // multi-segment recording, total duration missing (legacy defect)
    const segments = [0, 1, 2].map((i) => ({
      uid: i === 1 ? `audio/${created}-${k}${i}.webm` : streamUid(`vid${k}s${i}`),
      playback_url:
        i === 1
          ? `https://pub-legacy.r2.dev/audio/${created}-${k}${i}.webm`
          : `https://customer-o9wvts8h9krvlboh.cloudflarestream.com/${streamUid(`vid${k}s${i}`)}/manifest/video.m3u8`,
      duration: 10 + i,
      mode: i === 1 ? 'audio' : 'video',
      segment_index: i,
    }));
    return {
      ...base,
      asset_id: streamUid(`vid${k}s0`),
      duration_sec: null,
      metadata: { type: 'multi-segment', mime_type: 'video/webm', segment_count: 3, segments },
    };
  }
  if (k % 5 === 1) return { ...base, owner_type: 'question', owner_id: q }; // pre-October 2025 row: owner on the media side
  if (k % 5 === 2)
    return {
      ...base,
      provider: 'cloudflare_r2',
      asset_id: `audio/${created}-${k}.webm`,
      url: `https://pub-legacy.r2.dev/audio/${created}-${k}.webm`,
    };
  if (k % 7 === 3) return { ...base, status: '' };
  return base;
}

function questionStatus(q: number): { status: string; pricing: string } {
  const dd = isDeepDive(q);
  switch (q % 10) {
    case 1:
    case 2:
    case 4:
      return { status: 'closed', pricing: dd ? 'offer_accepted' : 'paid' };
    case 3:
      return { status: 'answered', pricing: dd ? 'offer_accepted' : 'paid' }; // legacy status value
    case 5:
      return { status: 'paid', pricing: dd ? 'offer_pending' : 'paid' };
    case 6:
      return { status: 'declined', pricing: dd ? 'offer_declined' : 'paid' };
    case 7:
      return { status: 'refunded', pricing: 'refunded' };
    case 8:
      return { status: 'paid', pricing: dd ? 'offer_accepted' : 'paid' };
    case 9:
      return { status: 'paid', pricing: dd ? 'offer_pending' : 'paid' };
    default:
      return { status: 'declined', pricing: dd ? 'offer_expired' : 'paid' };
  }
}

function questionRow(s: Shape, q: number): Row {
  const created = questionCreatedMs(q);
  const dd = isDeepDive(q);
  const { status, pricing } = questionStatus(q);
  const legacyNames = q % 8 === 3;
  const k = (q + 1) / 2;
  const mediaId = q % 2 === 1 && k <= s.media && k % 5 !== 1 ? k : null;
  const attachments =
    q % 20 === 8
      ? '[{name: broken'
      : q % 4 === 0
        ? JSON.stringify([
            {
              name: `brief-${q}.pdf`,
              url: `https://pub-legacy.r2.dev/question-attachments/${created}-brief.pdf`,
              size: 1234,
              type: 'application/pdf',
            },
          ])
        : null;
  const answered = isAnswered(q);
  const r: Row = {
    id: q,
    expert_profile_id: expertOf(s, q),
    title: `Question ${q}`,
    attachments,
    media_asset_id: mediaId,
    price_cents: priceOf(q),
    currency: 'USD',
    status,
    question_tier: q % 6 === 1 ? 'tier1' : q % 6 === 4 ? 'tier2' : dd ? 'deep_dive' : 'quick_consult',
    pricing_status: pricing,
    proposed_price_cents: dd ? priceOf(q) : 0,
    final_price_cents: priceOf(q),
    asker_message: dd ? 'Please' : null,
    sla_hours_snapshot: dd ? 48 : 24,
    sla_start_time: dd && pricing === 'offer_pending' ? null : created,
    sla_deadline: dd && pricing === 'offer_pending' ? null : created + (dd ? 48 : 24) * HOUR,
    sla_missed: false,
    offer_expires_at: dd ? created + 24 * HOUR : null,
    decline_reason: status === 'declined' ? 'Expert declined' : null,
    expert_reviewed_at: dd && pricing !== 'offer_pending' ? created + HOUR : null,
    playback_token_hash: reviewUuid(q),
    hidden: false,
    checkout_session_id: null,
    paid_at: created,
    recorded_at: null,
    answered_at: answered ? created + 2 * HOUR : null,
    refunded_at: status === 'refunded' ? created + 3 * HOUR : null,
    followup_parent_id: null,
    created_at: created,
  };
  if (legacyNames) {
    // legacy column names (legacy-backend.md §1: "legacy names still read")
    Object.assign(r, {
      question_text: `Text of ${q}`,
      user_email: `Asker${q}@Example.net`,
      user_name: `Asker ${q}`,
      stripe_payment_intent_id: `pi_test_${q}`,
    });
  } else {
    Object.assign(r, {
      text: `Text of ${q}`,
      payer_email: `asker${q}@example.net`,
      payer_first_name: 'Asker',
      payer_last_name: `${q}`,
      payment_intent_id: `pi_test_${q}`,
    });
  }
  return r;
}

function answerRow(s: Shape, a: number): Row {
  const q = answerQuestion(a);
  const created = questionCreatedMs(q) + 2 * HOUR;
  return {
    id: a,
    question_id: q,
    user_id: expertOf(s, q),
    text_response: `Answer to ${q}`,
    media_asset_id: null,
    attachments: a % 6 === 0 ? '[]' : null,
    sent_at: created,
    created_at: created,
    rating: a % 5 === 0 ? 0 : a % 5 === 1 ? 9 : (a % 5) + 2, // 0 = unrated, 9 = out of range (legacy defects)
    feedback_text: a % 5 === 2 ? 'Thanks' : null,
    feedback_at: a % 5 === 0 ? null : created + HOUR,
    view_count: 1,
    media_uid: null,
  };
}

function paymentRow(p: number): Row {
  const q = p;
  const created = questionCreatedMs(q);
  return {
    id: p,
    question_id: q,
    stripe_payment_intent_id: `pi_test_${q}`,
    amount_cents: priceOf(q),
    currency: 'USD',
    status: p % 10 === 7 ? 'refunded' : p % 10 === 1 ? 'captured' : 'authorized', // crons never updated payments
    question_type: isDeepDive(q) ? 'deep_dive' : 'quick_consult',
    authorized_at: null,
    accepted_at: created, // legacy defect: creation wrote accepted_at=now …
    captured_at: p % 10 === 1 ? created + 2 * HOUR : null,
    refunded_at: p % 10 === 7 ? created + 3 * HOUR : null,
    capture_attempted: p % 10 === 1,
    capture_failed: false,
    retry_count: 0,
    error_message: null,
    created_at: p % 3 === 0 ? created : 0, // … and created_at = 0
    updated_at: created,
  };
}

function visitRow(s: Shape, v: number): Row {
  const q = 2 * v;
  const device = ['desktop', 'Mobile', 'phone', 'tablet', 'unknown', 'desktop', 'Desktop'][v % 7];
  return {
    id: v,
    campaign_id: expertOf(s, q),
    expert_profile_id: expertOf(s, q),
    visitor_ip_hash: `ip_${v * 7919}`,
    referrer: null,
    user_agent: 'Mozilla/5.0',
    country: v % 9 === 0 ? 'USA' : 'XX',
    device_type: device,
    converted_to_question: v % 10 === 1,
    question_id: v % 10 === 1 ? q : null,
    visited_at: questionCreatedMs(q) - MIN,
    created_at: questionCreatedMs(q) - MIN,
  };
}

/** Rows the mapping cannot repair, or repairs only by dropping a dangling reference. */
function specialRow(s: Shape, table: XanoTable, n: number, id: number): Row | undefined {
  const missing = 990_000_000 + n;
  switch (table) {
    case 'user':
      return n === 1 ? { ...userRow(id), email: 'USER1@example.com ' } : { ...userRow(id), email: null };
    case 'expert_profile':
      return n === 1 ? { ...profileRow(id), user_id: missing } : { ...profileRow(id), user_id: 1 };
    case 'question':
      if (n === 1) return { ...questionRow(s, 1), id, expert_profile_id: missing, playback_token_hash: reviewUuid(id) };
      if (n === 2) return { ...questionRow(s, 5), id, media_asset_id: missing, playback_token_hash: reviewUuid(id) };
      return { ...questionRow(s, 5), id, title: '', playback_token_hash: reviewUuid(id) };
    case 'answer':
      return n === 1 ? { ...answerRow(s, 1), id, question_id: missing } : { ...answerRow(s, 1), id };
    case 'payment_table_structure':
      if (n === 1) return { ...paymentRow(5), id, question_id: missing, stripe_payment_intent_id: `pi_test_orphan_${id}` };
      if (n === 2) return { ...paymentRow(5), id, question_id: 5 };
      if (n === 3) return { ...paymentRow(9), id, question_id: null, stripe_payment_intent_id: `pi_test_neg_${id}`, amount_cents: -100 };
      // the payments of the special questions that are imported (the second and third)
      return { ...paymentRow(5), id, question_id: s.questions + n - 2, stripe_payment_intent_id: `pi_test_special_${id}` };
    case 'utm_campaign':
      return { ...(row(s, 'utm_campaign', 1) as Row), id };
    default:
      return undefined;
  }
}
