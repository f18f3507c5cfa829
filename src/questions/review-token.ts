import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Review tokens are the asker's only key to their question. A token is an HMAC of the question's
 * id and creation time under a key derived from the server secret, so the server can put the link
 * in a later e-mail (the answer notice) while the database keeps only the token's SHA-256
 * (question.playback_token_hash): a database leak alone reveals no link.
 */
function reviewKey(serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('quickchat-review-token-v1').digest();
}

export function reviewTokenFor(serverSecret: string, questionId: number, createdAt: Date): string {
  return createHmac('sha256', reviewKey(serverSecret)).update(`${questionId}.${createdAt.getTime()}`).digest('base64url');
}

export function hashReviewToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The token of a stored question, for e-mails: null when it cannot be rebuilt (the server secret
 * changed since, or a legacy token); the asker then uses the link of the first e-mail.
 */
export function recoverReviewToken(serverSecret: string, q: { id: number; created_at: Date; playback_token_hash: string | null }) {
  if (!q.playback_token_hash) return null;
  const token = reviewTokenFor(serverSecret, q.id, q.created_at);
  const a = Buffer.from(hashReviewToken(token));
  const b = Buffer.from(q.playback_token_hash);
  return a.length === b.length && timingSafeEqual(a, b) ? token : null;
}

/** Legacy tokens were UUIDs stored in clear; a SHA-256 hex digest never has this shape. */
export const LEGACY_TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The values a stored playback_token_hash may hold for this token. */
export function storedTokenCandidates(token: string): string[] {
  return LEGACY_TOKEN.test(token) ? [hashReviewToken(token), token] : [hashReviewToken(token)];
}
