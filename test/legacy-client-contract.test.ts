/**
 * The client contract tables (legacy-client-contract.md §2 and §3) as data: each call the legacy
 * web client makes, at its base (AUTH / PUB Xano groups, or same-origin /api), with the body it
 * sends, and the response fields it reads. One signed-in expert walks the whole product in order —
 * magic link, onboarding, settings, both tiers, offers, answer, review, refund, marketing, flags,
 * feedback, uploads, account deletion. `reads` paths: `a.b` (defined, may be null only where noted
 * with `?`), `list[].x` (every item). Left out: OAuth (needs a provider; its own stub tests) and the
 * AI coach (§2.12, another module's tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webm } from '../src/media/test-helpers.ts';
import { createTestApp, type TestApp } from './app.ts';

const AUTH = '/api:3B14WLbJ';
const PUB = '/api:BQW1GS7L';
const EMAIL = 'contract-expert@example.test';
const HANDLE = 'contract_ada';

interface State {
  token?: string;
  magicToken?: string;
  userId?: number;
  intent?: string;
  qc?: number;
  reviewToken?: string;
  dd?: number;
  dd2?: number;
  refundable?: number;
  mediaId?: number;
  [k: string]: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: a response body is read by field path, as the client reads it
type Body = any;

interface Call {
  feature: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (s: State) => string;
  auth?: boolean;
  body?: (s: State) => unknown;
  raw?: { payload: Buffer; type: string };
  status?: number[];
  reads: string[];
  check?: (body: Body, s: State) => void;
  save?: (body: Body, s: State) => void;
  before?: (t: TestApp, s: State) => Promise<void>;
}

const profileBody = () => ({
  handle: HANDLE,
  bio: 'Engines and numbers.',
  public: true,
  currency: 'USD',
  price_cents: 4999.999,
  sla_hours: 24,
  tier1_enabled: true,
  tier1_price_cents: 4999.999,
  tier1_sla_hours: 24,
  tier1_description: 'Quick',
  tier2_enabled: true,
  tier2_pricing_mode: 'range',
  tier2_min_price_cents: 10000,
  tier2_max_price_cents: 50000,
  tier2_sla_hours: 48,
  tier2_auto_decline_below_cents: null,
  tier2_description: 'Deep',
  professional_title: 'Analyst',
  tagline: 'Numbers',
  expertise: ['engines'],
  socials: { web: 'https://ada.example' },
  charity_percentage: 0,
  selected_charity: null,
  accepting_questions: true,
  daily_digest_enabled: true,
});
const askBody = (s: State, over: object = {}) => ({
  expertHandle: HANDLE,
  title: 'Which engine?',
  text: null,
  payerEmail: 'contract-asker@example.test',
  payerFirstName: 'Bob',
  payerLastName: null,
  media_asset_id: null,
  attachments: [{ name: 'a.pdf', url: 'https://files.example/a.pdf', size: 10, type: 'application/pdf' }],
  sla_hours_snapshot: 24,
  stripe_payment_intent_id: s.intent,
  ...over,
});
const intentBody = (amount: number, tierType: string) => ({
  amount,
  currency: 'usd',
  description: 'Question',
  metadata: { expert_handle: HANDLE, tier_type: tierType, question_title: 'Which engine?' },
  captureMethod: 'manual',
  expertHandle: HANDLE,
  tierType,
});
const saveIntent = (b: Body, s: State) => {
  s.intent = b.paymentIntentId;
};

const CALLS: Call[] = [
  // 2.1 authentication
  {
    feature: '2.1',
    method: 'POST',
    url: () => '/api/auth/magic-link/send',
    body: () => ({ email: EMAIL }),
    reads: ['success'],
    check: (b) => expect(b.success).toBe(true),
  },
  {
    feature: '2.1',
    method: 'POST',
    url: () => '/api/auth/magic-link/verify',
    before: async (t, s) => {
      const mail = await t.database.db
        .selectFrom('email_outbox')
        .select('text_body')
        .where('to_address', '=', EMAIL)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      s.magicToken = /magic-link\?token=([A-Za-z0-9_-]+)/.exec(mail.text_body)?.[1];
    },
    body: (s) => ({ token: s.magicToken }),
    reads: ['token', 'email', 'name', 'is_new_user'],
    save: (b, s) => {
      s.token = b.token;
    },
  },
  { feature: '2.1', method: 'POST', url: () => `${AUTH}/me/bootstrap`, auth: true, reads: [] },
  // 2.2 profile and settings
  {
    feature: '2.2',
    method: 'GET',
    url: () => `${AUTH}/me/profile`,
    auth: true,
    reads: ['user.email', 'expert_profile.id', 'expert_profile.user_id'],
    save: (b, s) => {
      s.userId = b.expert_profile.user_id;
    },
  },
  {
    feature: '2.2',
    method: 'GET',
    url: () => `${PUB}/expert/profile/check-handle/${HANDLE}`,
    reads: ['available'],
    check: (b) => expect(b.available).toBe(true),
  },
  {
    feature: '2.2',
    method: 'PUT',
    url: () => `${AUTH}/me/profile`,
    auth: true,
    body: profileBody,
    reads: ['handle', 'tier1_price_cents'],
    check: (b) => expect(b.tier1_price_cents).toBe(5000),
  },
  {
    feature: '2.2',
    method: 'POST',
    url: () => `${AUTH}/expert/profile/availability`,
    auth: true,
    body: () => ({ accepting_questions: true }),
    reads: [],
  },
  {
    feature: '2.2',
    method: 'PUT',
    url: () => `${AUTH}/me/account`,
    auth: true,
    body: () => ({ fname: 'Ada', lname: 'L', address: '1 St', city: 'London', country: 'UK', zip: 'N1' }),
    reads: [],
  },
  {
    feature: '2.2',
    method: 'POST',
    url: () => `${AUTH}/upload/profile-picture`,
    auth: true,
    body: () => ({ image_url: 'https://ada.example/me.webp' }),
    reads: [],
  },
  {
    feature: '2.2',
    method: 'GET',
    url: () => `${AUTH}/me/profile`,
    auth: true,
    reads: [
      'user.name',
      'user.fname',
      'user.city',
      'user.zip',
      'expert_profile.handle',
      'expert_profile.avatar_url',
      'expert_profile.tier1_sla_hours',
      'expert_profile.tier2_min_price_cents',
      'expert_profile.tier2_auto_decline_below_cents?',
      'expert_profile.daily_digest_enabled',
    ],
  },
  // 2.3 public profile and asking
  {
    feature: '2.3',
    method: 'GET',
    url: () => `${PUB}/public/profile?handle=${HANDLE}`,
    reads: [
      'user.name',
      'expert_profile.public',
      'expert_profile.accepting_questions',
      'expert_profile.handle',
      'expert_profile.id',
      'expert_profile.avatar_url',
      'expert_profile.price_cents',
      'expert_profile.sla_hours',
      'expert_profile.tier1_enabled',
      'expert_profile.tier1_price_cents',
      'expert_profile.tier2_enabled',
      'expert_profile.tier2_min_price_cents',
      'expert_profile.tier2_max_price_cents',
    ],
    check: (b) => expect(b.expert_profile.tier2_auto_decline_below_cents).toBeUndefined(),
  },
  { feature: '2.3', method: 'GET', url: () => `${PUB}/public/profile?handle=nobody_here`, status: [404], reads: ['error'] },
  {
    feature: '2.3',
    method: 'POST',
    url: () => `${PUB}/marketing/public/track-visit`,
    body: () => ({ expert_handle: HANDLE, utm_source: 'news', utm_campaign: 'spring', utm_medium: 'email', utm_content: null }),
    reads: ['tracked'],
  },
  // 2.4 payments and submission (with an anonymous recording)
  {
    feature: '2.7',
    method: 'POST',
    url: () => '/api/media/upload-audio',
    raw: { payload: webm(40), type: 'audio/webm' },
    reads: ['data.uid', 'data.playbackUrl'],
    save: (b, s) => {
      s.audio = b.data;
    },
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => `${AUTH}/media_asset`,
    body: (s) => {
      const a = s.audio as { uid: string; playbackUrl: string };
      const metadata = {
        type: 'multi-segment',
        mime_type: 'audio/webm',
        segment_count: 1,
        segments: [{ uid: a.uid, playback_url: a.playbackUrl, duration: 3, mode: 'audio', segment_index: 0 }],
      };
      return {
        provider: 'cloudflare_stream',
        asset_id: a.uid,
        duration_sec: 3,
        status: 'ready',
        url: a.playbackUrl,
        metadata: JSON.stringify(metadata),
      };
    },
    reads: ['id'],
    save: (b, s) => {
      s.mediaId = b.id;
    },
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/payments/create-intent',
    body: () => intentBody(5000, 'quick_consult'),
    reads: ['clientSecret', 'paymentIntentId', 'isMock'],
    save: saveIntent,
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/questions/quick-consult',
    body: (s) => askBody(s, { media_asset_id: s.mediaId }),
    reads: ['data.questionId', 'data.review_token'],
    save: (b, s) => {
      s.qc = b.data.questionId;
      s.reviewToken = b.data.review_token;
    },
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/payments/create-intent',
    body: () => intentBody(12000.5, 'deep_dive'),
    reads: ['paymentIntentId'],
    save: saveIntent,
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/questions/deep-dive',
    body: (s) => ({ ...askBody(s), proposed_price_cents: 12001, asker_message: 'Two pages' }),
    reads: ['data.questionId', 'data.review_token'],
    save: (b, s) => {
      s.dd = b.data.questionId;
    },
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/payments/create-intent',
    body: () => intentBody(15000, 'deep_dive'),
    reads: ['paymentIntentId'],
    save: saveIntent,
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/questions/deep-dive',
    body: (s) => ({ ...askBody(s), proposed_price_cents: 15000, asker_message: null }),
    reads: ['data.questionId'],
    save: (b, s) => {
      s.dd2 = b.data.questionId;
    },
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/payments/create-intent',
    body: () => intentBody(5000, 'quick_consult'),
    reads: ['paymentIntentId'],
    save: saveIntent,
  },
  {
    feature: '2.4',
    method: 'POST',
    url: () => '/api/questions/quick-consult',
    body: (s) => askBody(s),
    reads: ['data.questionId'],
    save: (b, s) => {
      s.refundable = b.data.questionId;
    },
  },
  // 2.5 dashboard and inbox
  {
    feature: '2.5',
    method: 'GET',
    url: () => `${AUTH}/me/questions?page=1&per_page=1000&filter_type=pending&sort_by=time_left`,
    auth: true,
    reads: [
      'questions[].id',
      'questions[].title',
      'questions[].status',
      'questions[].pricing_status',
      'questions[].question_tier',
      'questions[].price_cents',
      'questions[].created_at',
      'questions[].payer_email',
      'questions[].media_asset_id?',
      'questions[].attachments?',
      'pagination.total',
      'pagination.has_next',
    ],
    check: (b, s) => {
      expect(b.questions.map((q: { id: number }) => q.id)).toEqual(expect.arrayContaining([s.qc, s.refundable]));
      expect(b.questions.map((q: { id: number }) => q.id)).not.toContain(s.dd);
    },
  },
  { feature: '2.5', method: 'GET', url: () => `${AUTH}/me/questions`, auth: true, reads: ['questions'] },
  { feature: '2.5', method: 'GET', url: () => `${AUTH}/me/questions/count?status=paid&unanswered=true`, auth: true, reads: ['count'] },
  {
    feature: '2.5',
    method: 'GET',
    url: (s) => `${AUTH}/media_asset/${s.mediaId}`,
    auth: true,
    reads: ['id', 'provider', 'asset_id', 'url', 'metadata', 'status'],
    check: (b) => expect(b.metadata.type).toBe('multi-segment'),
  },
  {
    feature: '2.5',
    method: 'POST',
    url: () => `${AUTH}/question/hidden`,
    auth: true,
    body: (s) => ({ question_id: s.refundable, hidden: false }),
    reads: [],
  },
  // 2.6 offers
  {
    feature: '2.6',
    method: 'GET',
    url: () => `${AUTH}/expert/pending-offers`,
    auth: true,
    reads: [
      'offers[].question_id',
      'offers[].title',
      'offers[].payer_email',
      'offers[].proposed_price_cents',
      'offers[].created_at',
      'offers[].offer_expires_at',
      'offers[].attachments',
    ],
    check: (b) => expect(b.offers.every((o: { attachments: unknown }) => Array.isArray(o.attachments))).toBe(true),
  },
  { feature: '2.6', method: 'POST', url: () => '/api/offers-accept', auth: true, body: (s) => ({ id: s.dd }), reads: [] },
  {
    feature: '2.6',
    method: 'POST',
    url: () => '/api/offers-decline',
    auth: true,
    body: (s) => ({ id: s.dd2, decline_reason: 'Expert declined' }),
    reads: [],
  },
  // 2.7 answers and uploads
  {
    feature: '2.7',
    method: 'POST',
    url: () => '/api/media/get-upload-url',
    body: () => ({ maxDurationSeconds: 900 }),
    reads: ['data.uploadURL', 'data.uid'],
    save: (b, s) => {
      s.videoUid = b.data.uid;
    },
  },
  { feature: '2.7', method: 'POST', url: () => '/api/media/enable-downloads', body: (s) => ({ videoId: s.videoUid }), reads: [] },
  {
    feature: '2.7',
    method: 'POST',
    url: () => '/api/media/get-attachment-upload-url',
    body: () => ({ filename: 'notes.pdf', contentType: 'application/pdf', size: 1200 }),
    reads: ['data.uploadUrl', 'data.publicUrl', 'data.key'],
  },
  {
    feature: '2.7',
    method: 'POST',
    url: () => '/api/answers/create',
    auth: true,
    body: (s) => ({
      question_id: s.qc,
      user_id: s.userId,
      text_response: 'The analytical one.',
      media_asset_id: null,
      attachments: [{ url: 'https://files.example/n.pdf', name: 'n.pdf', filename: 'n.pdf', size: 3, type: 'application/pdf' }],
    }),
    reads: ['data'],
    check: (b) => expect(b.success).not.toBe(false),
  },
  {
    feature: '2.5',
    method: 'GET',
    url: (s) => `${AUTH}/answer?question_id=${s.qc}`,
    auth: true,
    reads: [
      'answer.id',
      'answer.created_at',
      'answer.sent_at',
      'answer.text_response',
      'answer.attachments',
      'answer.rating?',
      'answer.allow_testimonial',
      'media_asset?',
    ],
  },
  {
    feature: '2.6',
    method: 'POST',
    url: () => '/api/answers/create',
    auth: true,
    body: (s) => ({ question_id: s.dd, user_id: s.userId, text_response: 'Deep notes', media_asset_id: null, attachments: null }),
    reads: ['data'],
  },
  // 2.8 review page
  {
    feature: '2.8',
    method: 'GET',
    url: (s) => `${PUB}/review/${s.reviewToken}`,
    reads: [
      'id',
      'title',
      'created_at',
      'price_cents',
      'currency',
      'status',
      'pricing_status',
      'sla_hours_snapshot',
      'attachments',
      'media_asset',
      'answer.id',
      'answer.text_response',
      'answer.attachments',
      'expert_profile.handle',
      'expert_profile.avatar_url',
      'user',
    ],
    check: (b) => {
      expect(Array.isArray(b.media_asset)).toBe(true);
      expect(typeof b.attachments).toBe('string');
      expect(typeof b.answer.attachments).toBe('string');
      expect(typeof b.user).toBe('string');
    },
  },
  {
    feature: '2.8',
    method: 'POST',
    url: (s) => `${PUB}/review/${s.reviewToken}/feedback`,
    body: () => ({ rating: 5, feedback_text: 'Clear', allow_testimonial: true }),
    reads: [],
  },
  { feature: '2.8', method: 'GET', url: () => `${PUB}/review/not-a-token-at-all`, status: [404], reads: ['error'] },
  {
    feature: '2.5',
    method: 'GET',
    url: () => `${AUTH}/me/answers`,
    auth: true,
    reads: ['[].question_id', '[].rating', '[].feedback_text', '[].feedback_at'],
    check: (b) => expect(Array.isArray(b) && b.length).toBe(1),
  },
  {
    feature: '2.5',
    method: 'POST',
    url: () => '/api/questions/refund',
    auth: true,
    body: (s) => ({ question_id: s.refundable, refund_reason: 'Out of scope' }),
    reads: ['success'],
    check: (b) => expect(b.success).toBe(true),
  },
  // 2.9 marketing
  {
    feature: '2.9',
    method: 'POST',
    url: () => `${AUTH}/marketing/campaigns`,
    auth: true,
    body: () => ({ name: 'Launch', utm_source: 'twitter', utm_campaign: 'launch', utm_medium: 'social' }),
    reads: [],
  },
  {
    feature: '2.9',
    method: 'GET',
    url: () => `${AUTH}/marketing/campaigns`,
    auth: true,
    reads: [
      '[].id',
      '[].name',
      '[].url',
      '[].utm_source',
      '[].utm_campaign',
      '[].status',
      '[].total_visits',
      '[].total_questions',
      '[].total_revenue',
      '[].conversion_rate',
      '[].created_at',
    ],
  },
  {
    feature: '2.9',
    method: 'GET',
    url: () => `${AUTH}/marketing/traffic-sources`,
    auth: true,
    reads: ['[].name', '[].visits', '[].questions', '[].revenue', '[].conversion_rate'],
  },
  {
    feature: '2.9',
    method: 'GET',
    url: () => `${AUTH}/marketing/insights`,
    auth: true,
    reads: [
      'your_metrics.visit_to_question',
      'your_metrics.total_visits',
      'your_metrics.total_questions',
      'platform_average.visit_to_question',
      'insights',
    ],
  },
  // 2.11 flags and feedback (the admin base merged under /api)
  {
    feature: '2.11',
    method: 'GET',
    url: () => '/api/flags/public',
    reads: ['flags[].key', 'flags[].enabled', 'flags[].min_plan', 'flags[].min_plan_level'],
  },
  {
    feature: '2.11',
    method: 'POST',
    url: () => '/api/feedback',
    body: () => ({
      type: 'bug',
      message: 'The upload button does nothing.',
      rating: 4,
      email: EMAIL,
      wants_followup: false,
      session_id: 's1',
      page_url: '/dashboard',
    }),
    reads: [],
  },
  // 2.10 account deletion (a sign-in minutes ago is the fresh proof)
  { feature: '2.10', method: 'DELETE', url: () => '/api/users/delete-account', auth: true, reads: ['ok'] },
  { feature: '2.10', method: 'GET', url: () => `${AUTH}/me/profile`, auth: true, status: [401], reads: ['error'] },
];

/** Values at a read path: `a.b`, `list[].x`, `[].x` (the body is an array); a trailing `?` allows null. */
function valuesAt(body: unknown, path: string): unknown[] {
  let values: unknown[] = [body];
  for (const part of path.replace(/\?$/, '').split('.')) {
    const each = part.endsWith('[]');
    const key = each ? part.slice(0, -2) : part;
    values = values.flatMap((v) => {
      const x = key === '' ? v : (v as Record<string, unknown> | null)?.[key];
      return each ? (Array.isArray(x) ? x : [undefined]) : [x];
    });
  }
  return values;
}

describe('legacy client contract (§2/§3): each call with the client’s body, the fields it reads', () => {
  let t: TestApp;
  const s: State = {};
  beforeAll(async () => {
    t = await createTestApp({ CLIENT_ORIGIN: 'https://app.example' });
  });
  afterAll(() => t.close());

  for (const [i, c] of CALLS.entries()) {
    const name = `${String(i + 1).padStart(2, '0')} §${c.feature} ${c.method} ${c.url({}).replace(/undefined/g, ':x')}`;
    it(name, async () => {
      await c.before?.(t, s);
      const headers: Record<string, string> = c.auth ? { authorization: `Bearer ${s.token}` } : {};
      if (c.raw) headers['content-type'] = c.raw.type;
      const body = c.body?.(s);
      const res = await t.app.inject({
        method: c.method,
        url: c.url(s),
        headers,
        ...(c.raw ? { payload: c.raw.payload } : body === undefined ? {} : { payload: body as object }),
      });
      const ok = c.status ?? [200, 201];
      expect(ok, `${res.statusCode} ${res.body.slice(0, 300)}`).toContain(res.statusCode);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const json = res.json();
      for (const path of c.reads) {
        const values = valuesAt(json, path);
        expect(values.length, path).toBeGreaterThan(0);
        for (const v of values) {
          expect(v, `${path} in ${res.body.slice(0, 200)}`).not.toBeUndefined();
          if (!path.endsWith('?')) expect(v, path).not.toBeNull();
        }
      }
      c.check?.(json, s);
      c.save?.(json, s);
    });
  }
});
