/**
 * THE ACCESS POLICY TABLE: every route the server serves (method + path as registered), who may
 * call it, which request field names an owned object, the outcome of a valid request for the
 * rightful caller, and the outcomes per identity × object case that differ from the defaults of
 * its access class (see `expected`). A route missing here, missing from the router, or missing
 * from /docs/json without a `hidden` reason fails inventory.test.ts. HEAD twins of GET routes and
 * the CORS preflight (`OPTIONS *`) are added by the framework and follow their GET / are public.
 */

import {
  askBody,
  audioRaw,
  imagePart,
  pdfPart,
  pdfRaw,
  signedAttachmentUpload,
  signedVideoUpload,
  storedObject,
  uploadedAudio,
  uploadedVideo,
  videoPart,
  xanoAskBody,
} from './samples.ts';
import type { Access, BuildCtx, Cell, Identity, ObjectCase, ObjectKind, ObjectRef, ObjectState, RouteEntry } from './types.ts';

const obj = (kind: ObjectKind, state: ObjectState, where: ObjectRef['in'] = 'params', field = 'id'): ObjectRef => ({
  in: where,
  field,
  kind,
  state,
});
const ownerHandle = (c: BuildCtx) => c.w.expertOf('owner').profile.handle as string;
const callerHandle = (c: BuildCtx) => c.caller?.expert?.profile.handle ?? `nohandle${c.n}`;
export const INTERNAL_KEY = 'security-suite-internal-key-0123456789';
const UPLOAD_LIMIT = 4;
export const LIMITS = {
  upload: UPLOAD_LIMIT,
  feedback: 3,
  trackVisit: 3,
  magicLinkIp: 4,
  question: 3,
  exportsPerDay: 3,
  coachIp: 4,
} as const;
/** The environment the security suite's apps run with (small limits keep the limit+1 checks cheap). */
export const SECURITY_ENV: Record<string, string> = {
  INTERNAL_API_KEY: INTERNAL_KEY,
  BODY_LIMIT_BYTES: '16384',
  MEDIA_MAX_ATTACHMENT_BYTES: '8192',
  MEDIA_MAX_AUDIO_BYTES: '8192',
  MEDIA_MAX_VIDEO_BYTES: '8192',
  MEDIA_MAX_IMAGE_BYTES: '4096',
  MEDIA_UPLOAD_RATE_LIMIT_PER_MINUTE: String(UPLOAD_LIMIT),
  FEEDBACK_LIMIT_PER_HOUR: String(LIMITS.feedback),
  TRACK_VISIT_LIMIT_PER_HOUR: String(LIMITS.trackVisit),
  MAGIC_LINK_IP_LIMIT_PER_HOUR: String(LIMITS.magicLinkIp),
  EXPORT_LIMIT_PER_DAY: String(LIMITS.exportsPerDay),
  COACH_LIMIT_PER_IP_PER_DAY: String(LIMITS.coachIp),
  MEDIA_PROXY_ALLOWED_HOSTS: 'localhost,127.0.0.1,169.254.169.254,10.0.0.5,*.allowed.test,metadata.google.internal',
};
export const ERASER = 'erased account (the session that erased it)';
/** The rate-limit matrix's app: question creation limited too (the other matrices ask many questions). */
export const RATE_LIMIT_ENV: Record<string, string> = { ...SECURITY_ENV, QUESTION_LIMIT_PER_MINUTE: String(LIMITS.question) };
const questionLimit = { class: 'question creation', max: LIMITS.question, per: 'ip' } as const;
const downloads = { class: 'downloads', max: 120, per: 'ip' } as const;
const upload = { class: 'upload URLs and uploads', max: UPLOAD_LIMIT, per: 'ip' } as const;
/** A legacy path served by the same handler as a documented one: hidden from the docs, checked against the twin's schema. */
const alias = (of: string) => ({ hidden: `legacy alias of ${of} (same handler and schema)`, alias: of });
const docsUi = { hidden: 'Swagger UI and the OpenAPI document itself', noInspect: 'serves the API description (field names, no data)' };

const coachLimit = { class: 'AI coach', max: LIMITS.coachIp, per: 'ip' } as const;
const coachValidateBody = (c: BuildCtx) => ({
  title: 'How should I price my consulting?',
  fingerprint: `fp_sec${c.n}_${c.w.seq()}`,
  expertId: c.w.expertOf('owner').profile.id,
});
/** A fresh coaching session (opened from another address, so it does not count against the caller's). */
async function coachSession(c: BuildCtx, analysed = false): Promise<string> {
  const inject = (url: string, payload: object) => c.w.t.app.inject({ method: 'POST', url, payload, remoteAddress: c.w.ip() });
  const sessionId = (await inject('/api/ai/coach/quick-validate', coachValidateBody(c))).json().sessionId as string;
  if (analysed) await inject('/api/ai/coach/analyze-and-guide', { sessionId, expertProfile: { name: 'Owner' } });
  return sessionId;
}

// Forbidden values are ones no rightful row holds (999_999 is nobody's id): on the X paths an
// unknown field is ignored, so the check is that it was not written, not that it was refused.
export const POLICY: Record<string, RouteEntry> = {
  // ── ops and docs ─────────────────────────────────────────────────────────────────────
  'GET /health': { access: 'public', ok: 200 },
  'GET /api/health': { access: 'public', ok: 200, ...alias('GET /health') },
  // Without METRICS_TOKEN only a scraper on the server's host is answered; the suite calls from other addresses (src/http/hardening.test.ts covers both ways in).
  'GET /metrics': { access: 'public', ok: 404, hidden: 'Prometheus scrape endpoint (text, counts only, no personal data)' },
  'GET /docs': { access: 'public', ok: [200, 302], ...docsUi },
  'GET /docs/': { access: 'public', ok: [200, 302], ...docsUi },
  'GET /docs/static/index.html': { access: 'public', ok: [200, 302], ...docsUi },
  'GET /docs/static/swagger-initializer.js': { access: 'public', ok: 200, ...docsUi },
  'GET /docs/static/*': { access: 'public', ok: [200, 404], ...docsUi, params: () => ({ '*': 'swagger-ui.css' }) },
  'GET /docs/json': { access: 'public', ok: 200, ...docsUi },
  'GET /docs/yaml': { access: 'public', ok: 200, ...docsUi },

  // ── payments ─────────────────────────────────────────────────────────────────────────
  'POST /api/payments/create-intent': {
    access: 'public',
    ok: 200,
    body: (c) => ({
      amount: 5000,
      currency: 'usd',
      captureMethod: 'manual',
      expertHandle: ownerHandle(c),
      tierType: 'quick_consult',
      customerEmail: 'a@asker.test',
    }),
    forbidden: { amount: 1, status: 'succeeded' },
    exposes: ['paymentIntentId', 'clientSecret'],
    limit: { class: 'payment intents', max: 10, per: 'ip' },
  },
  'POST /api/webhooks/stripe': { access: 'stripe_signature', ok: 404, body: () => ({ id: 'evt_1', type: 'payment_intent.succeeded' }) },

  // ── questions ────────────────────────────────────────────────────────────────────────
  'POST /question/quick-consult': {
    access: 'public',
    ok: 200,
    body: (c) => xanoAskBody(c, 'quick_consult'),
    forbidden: { status: 'closed', price_cents: 1, final_price_cents: 1, playback_token_hash: 'x', answered_at: 1 },
    exposes: ['review_token', 'playback_token_hash'],
    limit: questionLimit,
  },
  'POST /question/deep-dive': {
    access: 'public',
    ok: 200,
    body: (c) => xanoAskBody(c, 'deep_dive'),
    forbidden: { status: 'closed', pricing_status: 'offer_accepted', final_price_cents: 1, price_cents: 1 },
    exposes: ['review_token', 'playback_token_hash'],
    limit: questionLimit,
  },
  'POST /api/questions/quick-consult': {
    access: 'public',
    ok: 201,
    body: (c) => askBody(c, 'quick_consult'),
    forbidden: { status: 'closed', price_cents: 1, review_token: 'x' },
    exposes: ['review_token'],
    limit: questionLimit,
  },
  'POST /api/questions/deep-dive': {
    access: 'public',
    ok: 201,
    body: (c) => askBody(c, 'deep_dive'),
    forbidden: { pricing_status: 'offer_accepted', final_price_cents: 1 },
    exposes: ['review_token'],
    limit: questionLimit,
  },
  'GET /question/:id': { access: 'expert', object: obj('question', 'any'), ok: 200 },
  'PATCH /question/:id': {
    access: 'expert',
    object: obj('question', 'qc_paid'),
    ok: 200,
    body: () => ({ hidden: true }),
    forbidden: {
      status: 'closed',
      price_cents: 1,
      final_price_cents: 1,
      answered_at: 1,
      playback_token_hash: 'x',
      expert_profile_id: 999_999,
    },
  },
  'POST /question/hidden': {
    access: 'expert',
    object: obj('question', 'qc_paid', 'body', 'question_id'),
    ok: 200,
    body: () => ({ hidden: true }),
  },
  'POST /question/:id/refund': {
    access: 'expert',
    object: obj('question', 'qc_paid'),
    ok: 200,
    body: () => ({}),
    limit: { class: 'refund', max: 5, per: 'user' },
  },
  'POST /api/questions/refund': {
    access: 'expert',
    object: obj('question', 'qc_paid', 'body', 'question_id'),
    ok: 200,
    body: () => ({ refund_reason: 'Cannot help' }),
    limit: { class: 'refund', max: 5, per: 'user' },
  },

  // ── inbox (the caller's own lists) ──────────────────────────────────────────────────
  'GET /me/questions': { access: 'user', ok: 200, query: () => ({ filter_type: 'all', per_page: 100 }) },
  'GET /api/me/questions': { access: 'user', ok: 200, query: () => ({ per_page: 100 }) },
  'GET /me/questions/count': { access: 'user', ok: 200, query: () => ({ status: 'paid' }) },
  'GET /expert/pending-offers': { access: 'user', ok: 200 },
  'GET /api/expert/pending-offers': { access: 'user', ok: 200 },
  'GET /me/answers': { access: 'user', ok: 200 },
  'GET /me/dashboard-analytics': { access: 'user', ok: 200, outcomes: { plain: [404], admin: [404] } },

  // ── offers ───────────────────────────────────────────────────────────────────────────
  'POST /offers/:id/accept': {
    access: 'expert',
    object: obj('question', 'dd_pending'),
    ok: 200,
    limit: { class: 'offer actions', max: 10, per: 'user' },
  },
  'POST /offers/:id/decline': {
    access: 'expert',
    object: obj('question', 'dd_pending'),
    ok: 200,
    body: () => ({ decline_reason: 'Not my field' }),
    limit: { class: 'offer actions', max: 10, per: 'user' },
  },
  'POST /api/offers-accept': {
    access: 'expert',
    object: obj('question', 'dd_pending', 'body'),
    ok: 200,
    body: () => ({}),
    limit: { class: 'offer actions', max: 10, per: 'user' },
  },
  'POST /api/offers-decline': {
    access: 'expert',
    object: obj('question', 'dd_pending', 'body'),
    ok: 200,
    body: () => ({ decline_reason: 'Not my field' }),
    limit: { class: 'offer actions', max: 10, per: 'user' },
  },

  // ── answers and capture (body user_id is the legacy IDOR: it is always the object owner's id) ──
  'POST /answer': {
    access: 'expert',
    object: obj('question', 'qc_paid', 'body', 'question_id'),
    ok: 200,
    body: (c) => ({ user_id: c.ownerUserId, text_response: 'Here is my answer.' }),
  },
  'POST /api/answers/create': {
    access: 'expert',
    object: obj('question', 'qc_paid', 'body', 'question_id'),
    ok: 201,
    body: (c) => ({ user_id: c.ownerUserId, text_response: 'Here is my answer.', attachments: [] }),
  },
  'GET /answer': { access: 'expert', object: obj('question', 'answered', 'query', 'question_id'), ok: 200 },
  'POST /payment/capture': { access: 'expert', object: obj('question', 'answered', 'body', 'question_id'), ok: 200, body: () => ({}) },

  // ── review page (the asker's token) ─────────────────────────────────────────────────
  // The link holder gets the token back as playback_token_hash (§6 check 7): it is the path itself.
  'GET /review/:token': {
    access: 'review_token',
    object: obj('review', 'any', 'params', 'token'),
    ok: 200,
    exposes: ['playback_token_hash'],
  },
  'POST /review/:token/feedback': {
    access: 'review_token',
    object: obj('review', 'answered', 'params', 'token'),
    ok: 200,
    body: () => ({ rating: 5, feedback_text: 'Great answer' }),
    forbidden: { answer_id: 1, feedback_at: 0, view_count: 99 },
  },

  // ── account: deletion, export, asker erasure ─────────────────────────────────────────
  // A session without a fresh sign-in is asked to re-authenticate (403); the erasure itself is in flows.test.ts.
  // A retry with the very session that erased the account returns the same receipt (design: account deletion 1);
  // any other session of the erased account is a 401.
  'DELETE /me/delete-account': {
    access: 'user',
    ok: 403,
    authn: { [ERASER]: [200] },
    limit: { class: 'delete-account', max: 30, per: 'user' },
  },
  'DELETE /api/users/delete-account': {
    access: 'user',
    ok: 403,
    authn: { [ERASER]: [200] },
    limit: { class: 'delete-account', max: 30, per: 'user' },
  },
  'POST /me/delete-account/code': {
    access: 'user',
    ok: 200,
    // 3 codes an hour per address (the route's own 10 an hour per user is never reached first).
    limit: { class: 'delete-account', max: 3, per: 'account' },
  },
  'POST /me/export': {
    access: 'user',
    ok: 200,
    // EXPORT_LIMIT_PER_DAY per account (the route's own 10 an hour per user is never reached first).
    limit: { class: 'export', max: LIMITS.exportsPerDay, per: 'account' },
  },
  'GET /api/account/export/:token': {
    access: 'export_token',
    object: obj('export', 'any', 'params', 'token'),
    ok: 200,
    limit: { class: 'export', max: 30, per: 'ip' },
  },
  'POST /api/askers/erasure/request': {
    access: 'public',
    ok: 200,
    body: (c) => ({ email: `erase-${c.n}@asker.test` }),
    limit: [
      { class: 'asker erasure', max: 10, per: 'ip' },
      { class: 'asker erasure', max: 3, per: 'email' },
    ],
  },
  'POST /api/askers/erasure/confirm': {
    access: 'public',
    ok: [400, 410],
    body: (c) => ({ email: `erase-${c.n}@asker.test`, code: '123456' }),
    limit: { class: 'asker erasure', max: 20, per: 'ip' },
  },

  // ── media assets, uploads, files ─────────────────────────────────────────────────────
  'POST /media_asset': {
    access: 'optional_user',
    ok: 200,
    body: async (c) => ({ provider: 'cloudflare_r2', asset_id: (await uploadedAudio(c)).uid, status: 'ready' }),
    forbidden: { id: 999_999, user_id: 999_999, created_at: 0 },
    limit: upload,
  },
  'GET /media_asset/:id': {
    access: 'expert',
    object: obj('media', 'any'),
    ok: 200,
    outcomes: { 'owner:foreign': [404], 'other:own': [404] },
  },
  'DELETE /media_asset/:id': {
    access: 'expert',
    object: obj('media', 'unattached'),
    ok: 200,
    outcomes: { 'owner:foreign': [404], 'other:own': [404] },
  },
  'POST /api/media/get-upload-url': { access: 'optional_user', ok: 200, body: () => ({ maxDurationSeconds: 90 }), limit: upload },
  'POST /api/media/upload-video': {
    access: 'optional_user',
    ok: 200,
    body: () => ({
      videoBase64: Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(60, 7)]).toString('base64'),
      recordingMode: 'video',
      segmentIndex: 0,
      duration: 3,
    }),
    bodyLimit: 'maxVideoBase64',
    limit: upload,
  },
  'POST /api/media/upload-audio': { access: 'optional_user', ok: 200, raw: audioRaw, bodyLimit: 'maxAudioBytes', limit: upload },
  'POST /api/media/get-attachment-upload-url': {
    access: 'optional_user',
    ok: 200,
    body: () => ({ filename: 'brief.pdf', contentType: 'application/pdf', size: 1000 }),
    limit: upload,
  },
  'POST /api/media/upload-attachment': { access: 'optional_user', ok: 200, raw: pdfPart, bodyLimit: 'multipart', limit: upload },
  'POST /api/upload/profile-picture': { access: 'optional_user', ok: 200, raw: imagePart, bodyLimit: 'multipart', limit: upload },
  'POST /api/media/enable-downloads': {
    access: 'optional_user',
    ok: 200,
    body: async (c) => ({ videoId: await uploadedVideo(c) }),
    limit: upload,
  },
  'PUT /api/media/local-upload': {
    access: 'signed_url',
    ok: 200,
    url: signedAttachmentUpload,
    raw: pdfRaw,
    bodyLimit: 'maxAttachmentBytes',
    hidden: 'the presigned upload URL of the local storage adapter (stands in for a bucket; only reachable through a signed URL)',
  },
  'POST /api/media/local-video-upload': {
    access: 'signed_url',
    ok: 200,
    url: async (c) => (await signedVideoUpload(c)).url,
    raw: videoPart,
    bodyLimit: 'multipart',
    hidden: 'the direct-upload URL of the local video host (stands in for Cloudflare Stream; only reachable through a signed URL)',
  },
  'GET /api/media/object/*': { access: 'public', ok: 200, params: async (c) => ({ '*': (await storedObject(c, 'attachment')).key }) },
  'GET /api/media/video/:uid': { access: 'public', ok: 200, params: async (c) => ({ uid: await uploadedVideo(c) }) },
  'GET /api/media/download-video': {
    access: 'public',
    ok: 200,
    query: async (c) => ({ url: c.w.t.ctx.video.downloadUrl(await uploadedVideo(c)) }),
    outbound: true,
    limit: downloads,
  },
  'GET /api/media/download-audio': {
    access: 'public',
    ok: 200,
    query: async (c) => ({ url: (await storedObject(c, 'audio')).url }),
    outbound: true,
    limit: downloads,
  },
  'GET /api/media/download-attachment': {
    access: 'public',
    ok: 200,
    query: async (c) => ({ url: (await storedObject(c, 'attachment')).url }),
    outbound: true,
    limit: downloads,
  },
  'GET /api/proxy-image': {
    access: 'public',
    ok: 200,
    query: async (c) => ({ url: (await storedObject(c, 'picture')).url }),
    outbound: true,
    limit: downloads,
  },

  // ── sign-in ──────────────────────────────────────────────────────────────────────────
  'POST /api/auth/magic-link/send': {
    access: 'public',
    ok: 200,
    body: (c) => ({ email: `signin-${c.n}@user.test` }),
    limit: [
      { class: 'magic-link send', max: LIMITS.magicLinkIp, per: 'ip' },
      // Per address from all networks; 3 per address per network is in src/auth/magic-link-attacker.test.ts.
      { class: 'magic-link send', max: 10, per: 'email' },
    ],
  },
  'POST /auth/magic-link/initiate': {
    access: 'public',
    ok: 200,
    body: (c) => ({ email: `signin-${c.n}@user.test`, ip_address: '203.0.113.1' }),
    exposes: [],
    limit: { class: 'magic-link send', max: 10, per: 'email' },
  },
  'POST /api/auth/magic-link/verify': {
    access: 'public',
    ok: 404,
    body: () => ({ token: 'a'.repeat(43) }),
    limit: { class: 'magic-link verify', max: 30, per: 'ip' },
  },
  'POST /auth/magic-link/verify': {
    access: 'public',
    ok: 404,
    body: () => ({ token: 'a'.repeat(43) }),
    limit: { class: 'magic-link verify', max: 30, per: 'ip' },
  },
  'GET /auth/me': { access: 'user', ok: 200 },
  'POST /auth/logout': { access: 'user', ok: 200, changesCaller: true },
  'POST /api/auth/logout': { access: 'user', ok: 200, changesCaller: true, ...alias('POST /auth/logout') },
  'GET /api/oauth/google/init': { access: 'public', ok: [200, 503], limit: { class: 'oauth', max: 60, per: 'ip' } },
  'GET /api/oauth/google/continue': {
    access: 'public',
    ok: [400, 403, 503],
    query: () => ({ code: 'not-a-code', state: 'x' }),
    limit: { class: 'oauth', max: 30, per: 'ip' },
  },
  'GET /api/oauth/linkedin/init': { access: 'public', ok: [200, 503] },
  'GET /api/oauth/linkedin/continue': { access: 'public', ok: [400, 403, 503], query: () => ({ code: 'not-a-code', state: 'x' }) },
  'GET /oauth/google/init': { access: 'public', ok: [200, 503], ...alias('GET /api/oauth/google/init') },
  'GET /oauth/google/continue': {
    access: 'public',
    ok: [400, 403, 503],
    query: () => ({ code: 'x' }),
    ...alias('GET /api/oauth/google/continue'),
  },
  'GET /oauth/linkedin/init': { access: 'public', ok: [200, 503], ...alias('GET /api/oauth/linkedin/init') },
  'GET /oauth/linkedin/continue': {
    access: 'public',
    ok: [400, 403, 503],
    query: () => ({ code: 'x' }),
    ...alias('GET /api/oauth/linkedin/continue'),
  },
  'POST /auth/linkedin/create_user': {
    access: 'internal_key',
    ok: 200,
    body: (c) => ({ x_api_key: INTERNAL_KEY, email: `li-${c.n}@user.test`, given_name: 'Lin', family_name: 'Ked' }),
    exposes: ['token', 'email'],
  },

  // ── the expert's own settings ────────────────────────────────────────────────────────
  'POST /me/bootstrap': { access: 'user', ok: 200, changesCaller: true },
  'GET /me/profile': { access: 'user', ok: 200 },
  // Without a profile yet, the first PUT creates the caller's own (as bootstrap does).
  'PUT /me/profile': {
    access: 'user',
    ok: 200,
    changesCaller: true,
    body: (c) => ({ handle: callerHandle(c), bio: 'Updated bio', tier1_price_cents: 5000 }),
    forbidden: { user_id: 999_999, id: 999_999, status: 'SET', created_at: 0, token_version: 9 },
  },
  'PUT /me/account': {
    access: 'user',
    ok: 200,
    body: () => ({ fname: 'Ann', city: 'Paris' }),
    forbidden: { email: 'x@evil.test', token_version: 9, role: 'admin', name: 'x' },
  },
  'POST /expert/profile/availability': {
    access: 'user',
    ok: 200,
    outcomes: { plain: [404], admin: [404] },
    body: () => ({ accepting_questions: true }),
  },
  'POST /upload/profile-picture': { access: 'user', ok: 200, outcomes: { plain: [404], admin: [404] }, body: () => ({ image_url: null }) },
  'GET /expert/pricing-tiers': { access: 'user', ok: 200 },
  'PUT /expert/pricing-tiers': {
    access: 'user',
    ok: 200,
    outcomes: { plain: [404], admin: [404] },
    body: () => ({ quick_consult: { description: 'Fast' } }),
    forbidden: { expert_profile_id: 999_999, user_id: 999_999 },
  },
  'GET /public/profile': {
    access: 'public',
    ok: 200,
    query: (c) => ({ handle: ownerHandle(c) }),
    limit: { class: 'public pages', max: 300, per: 'ip' },
  },
  'GET /expert/profile/check-handle/:handle': {
    access: 'public',
    ok: 200,
    params: (c) => ({ handle: ownerHandle(c) }),
    limit: { class: 'public pages', max: 120, per: 'ip' },
  },

  // ── admin ────────────────────────────────────────────────────────────────────────────
  'POST /api/auth/verify': {
    access: 'admin_login',
    ok: 200,
    body: () => ({}),
    exposes: ['token', 'email'],
    limit: { class: 'admin sign-in', max: 30, per: 'ip' },
    nullBodyIsEmpty: 'the token usually comes in a header or cookie, with no body at all',
  },
  'GET /api/admin/me': { access: 'admin', ok: 200, exposes: ['email'] },
  'POST /api/admin/logout': { access: 'admin', ok: 200, changesCaller: true },
  'GET /api/admin/audit-log': { access: 'super_admin', ok: 200 },
  'GET /api/flags/public': { access: 'public', ok: 200 },
  'GET /api/flags': { access: 'admin', ok: 200 },
  'GET /api/flags/audit': { access: 'admin', ok: 200 },
  'POST /api/flags': {
    access: 'super_admin',
    ok: 201,
    body: (c) => ({ key: `sec_new_${c.n}`, name: 'New flag' }),
    forbidden: { id: 999_999, created_at: 0 },
  },
  'PATCH /api/flags': {
    access: 'super_admin',
    object: obj('flag', 'any', 'query', 'key'),
    ok: 200,
    body: () => ({ enabled: true }),
    forbidden: { id: 999_999, created_at: 0 },
  },
  'DELETE /api/flags': { access: 'super_admin', object: obj('flag', 'any', 'query', 'key'), ok: 200 },
  // ── AI coach (mindPilot): anonymous askers; the session id is the capability ─────────
  'POST /api/ai/coach/quick-validate': {
    access: 'public',
    ok: 200,
    body: (c) => coachValidateBody(c),
    forbidden: { question_id: 1, provider: 'openai', tier_reached: 3, session_key: `cs_${'a'.repeat(32)}` },
    limit: coachLimit,
  },
  'POST /api/ai/coach/analyze-and-guide': {
    access: 'public',
    ok: 200,
    body: async (c) => ({
      sessionId: await coachSession(c),
      expertProfile: { ...c.w.expertOf('owner').profile, name: 'Owner' },
      questionContext: { title: 'How should I price my consulting?', text: 'For 3 clients a month.' },
    }),
    forbidden: { question_id: 1, provider: 'openai', analysis: {} },
    limit: coachLimit,
  },
  'POST /api/ai/coach/save-responses': {
    access: 'public',
    ok: 200,
    body: async (c) => ({ sessionId: await coachSession(c, true), responses: { c1: 'I tried a flat fee.' } }),
    forbidden: { question_id: 1, tier_reached: 3 },
    limit: { class: 'coach responses', max: 30, per: 'ip' },
  },
  'POST /api/feedback': {
    access: 'optional_user',
    ok: 201,
    body: () => ({ type: 'bug', message: 'The upload button does nothing.' }),
    forbidden: { status: 'wont_fix', priority: 'critical', user_id: 999_999, deleted_at: 0, jira_issue_key: 'SEC-1' },
    limit: { class: 'feedback', max: LIMITS.feedback, per: 'ip' },
  },
  'GET /api/feedback': { access: 'admin', ok: 200, exposes: ['email'] },
  'GET /api/feedback/analytics': { access: 'admin', ok: 200 },
  'GET /api/feedback/tags': { access: 'admin', ok: 200 },
  // Soft-deleted feedback stays readable to admins (the list shows it with include_deleted); changes to it are 404.
  'GET /api/feedback/:id': {
    access: 'admin',
    object: obj('feedback', 'any'),
    ok: 200,
    exposes: ['email'],
    outcomes: { 'admin:deleted': [200] },
  },
  'PATCH /api/feedback/:id': {
    access: 'admin',
    object: obj('feedback', 'any'),
    ok: 200,
    body: () => ({ status: 'in_progress' }),
    exposes: ['email'],
    forbidden: { message: 'x', user_id: 999_999 },
  },
  'DELETE /api/feedback/:id': { access: 'super_admin', object: obj('feedback', 'any'), ok: 200 },
  'POST /api/feedback/:id/comments': {
    access: 'admin',
    object: obj('feedback', 'any'),
    ok: 201,
    body: () => ({ body: 'Looking into it' }),
  },
  'POST /api/feedback/:id/tags': { access: 'admin', object: obj('feedback', 'any'), ok: 200, body: () => ({ tag: 'upload' }) },
  'DELETE /api/feedback/:id/tags/:tag': {
    access: 'admin',
    object: obj('feedback', 'any'),
    ok: [200, 404],
    params: () => ({ tag: 'upload' }),
  },

  // ── marketing (flag marketing_module on) ────────────────────────────────────────────
  'GET /marketing/campaigns': { access: 'user', ok: 200 },
  'POST /marketing/campaigns': {
    access: 'user',
    ok: 201,
    outcomes: { plain: [404], admin: [404] },
    body: (c) => ({ name: `Launch ${c.n}`, utm_source: `news${c.n}`, utm_campaign: `spring${c.n}` }),
    forbidden: { expert_profile_id: 999_999, total_revenue_cents: 1, total_visits: 5, status: 'archived' },
  },
  'PATCH /marketing/campaigns/:id': {
    access: 'expert',
    object: obj('campaign', 'any'),
    ok: 200,
    body: () => ({ name: 'Renamed' }),
    outcomes: { 'owner:foreign': [404], 'other:own': [404], 'plain:own': [404], 'admin:own': [404] },
    forbidden: { total_visits: 1000, expert_profile_id: 999_999, total_revenue_cents: 1 },
  },
  'POST /marketing/campaigns/:id/archive': {
    access: 'expert',
    object: obj('campaign', 'any'),
    ok: 200,
    outcomes: { 'owner:foreign': [404], 'other:own': [404], 'plain:own': [404], 'admin:own': [404] },
  },
  'GET /marketing/traffic-sources': { access: 'user', ok: 200 },
  'GET /marketing/insights': { access: 'user', ok: 200 },
  'GET /marketing/share-templates': { access: 'user', ok: 200, outcomes: { plain: [404], admin: [404] } },
  'POST /marketing/public/track-visit': {
    access: 'public',
    ok: 200,
    body: (c) => ({ expert_handle: ownerHandle(c), utm_source: 'news', utm_campaign: 'spring' }),
    limit: { class: 'visit tracking', max: LIMITS.trackVisit, per: 'ip' },
  },

  // ── internal / cron endpoints of §2.10 (x_api_key in the query or the body) ──────────
  'GET /internal/digest/pending-questions': {
    access: 'internal_key',
    ok: 200,
    query: () => ({ x_api_key: INTERNAL_KEY }),
    exposes: ['user_email', 'payer_first_name'],
  },
  'GET /internal/user/:id/email': {
    access: 'internal_key',
    ok: 200,
    query: () => ({ x_api_key: INTERNAL_KEY }),
    params: (c) => ({ id: c.ownerUserId }),
    exposes: ['email'],
  },
  'GET /questions/pending-offers': { access: 'internal_key', ok: 200, query: () => ({ x_api_key: INTERNAL_KEY }) },
  'GET /questions/expired-sla': { access: 'internal_key', ok: 200, query: () => ({ x_api_key: INTERNAL_KEY }) },
  'GET /internal/media': { access: 'internal_key', ok: 200, query: () => ({ x_api_key: INTERNAL_KEY }) },
  // A fresh offer or question is not due yet: the rightful call answers 409 not_due and changes nothing.
  'POST /question/:id/expire-offer': {
    access: 'internal_key',
    ok: [200, 409],
    params: async (c) => ({ id: (await c.w.askOf(c.w.expertOf('owner'), `asker-${c.n}@asker.test`, 'deep_dive')).questionId }),
    body: () => ({ x_api_key: INTERNAL_KEY }),
  },
  'POST /question/:id/expire-sla': {
    access: 'internal_key',
    ok: [200, 409],
    params: async (c) => ({ id: (await c.w.askOf(c.w.expertOf('owner'), `asker-${c.n}@asker.test`)).questionId }),
    body: () => ({ x_api_key: INTERNAL_KEY }),
  },
  'DELETE /internal/test-data/cleanup': { access: 'internal_key', ok: 200, query: () => ({ x_api_key: INTERNAL_KEY }) },
  // The simulated provider ends a fresh question's hold: the payment fails, the question is hold_expired.
  'POST /api/payments/simulate/hold-expired': {
    access: 'internal_key',
    ok: 200,
    body: async (c) => ({
      x_api_key: INTERNAL_KEY,
      question_id: (await c.w.askOf(c.w.expertOf('owner'), `asker-${c.n}@asker.test`)).questionId,
    }),
  },
};

const ADMIN_ACCESS: Access[] = ['admin', 'super_admin'];
const OWNED: Access[] = ['expert'];

/**
 * The expected statuses of a request by `identity` naming an object of `objectCase` (or no object),
 * from the entry's overrides, else from its access class:
 * - expert: the owner gets `ok`; anyone else 403 or 404 (never 2xx); deleted or missing 404; a malformed id 400; nobody 401.
 * - user: every signed-in identity gets `ok` on its own data; nobody 401.
 * - public / optional_user: everyone gets `ok`.
 * - admin / super_admin: an admin session gets `ok`; a main session or none 401.
 * - admin_login: an admin's main session gets `ok`; another user's 403; none 401.
 * - tokens (review, export, signed URL): the holder of a valid one gets `ok` whoever they are;
 *   an erased object's token 410 (review) or 404/410 (export); an unknown one 404; a malformed one 400
 *   (414 for a review token longer than the router's 100-character parameter limit).
 */
export function expected(e: RouteEntry, identity: Identity, objectCase: ObjectCase | null): number[] {
  const ok = Array.isArray(e.ok) ? e.ok : [e.ok];
  const cell = (objectCase ? `${identity}:${objectCase}` : identity) as Cell;
  const override = e.outcomes?.[cell] ?? (objectCase && objectCase !== 'own' ? undefined : e.outcomes?.[identity]);
  if (override) return override;
  const c = objectCase ?? 'own';
  if (c === 'malformed') {
    if (e.access === 'review_token') return [400, 414];
    return identity === 'anonymous' && e.access !== 'export_token' ? [400, 401] : [400];
  }
  if (e.access === 'review_token' || e.access === 'export_token') {
    if (c === 'deleted') return e.access === 'review_token' ? [410] : [404, 410];
    if (c === 'missing') return [404];
    return ok;
  }
  if (ADMIN_ACCESS.includes(e.access)) {
    if (identity !== 'admin') return [401];
    return c === 'deleted' || c === 'missing' ? [404] : ok;
  }
  if (e.access === 'admin_login') return identity === 'anonymous' ? [401] : identity === 'admin' ? ok : [403];
  if (identity === 'anonymous' && (e.access === 'user' || OWNED.includes(e.access))) return [401];
  if (OWNED.includes(e.access)) {
    if (c === 'deleted' || c === 'missing') return [404];
    const rightful = (identity === 'owner' && c === 'own') || (identity === 'other' && c === 'foreign');
    return rightful ? ok : [403, 404];
  }
  return ok;
}

export const routeKeys = () => Object.keys(POLICY).sort();
export const entry = (key: string): RouteEntry => {
  const e = POLICY[key];
  if (!e) throw new Error(`No policy entry for ${key}: add it to test/security/policy.ts`);
  return e;
};
