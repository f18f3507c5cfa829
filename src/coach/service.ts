/**
 * The coaching steps of the ask page. Step 1 opens a session (daily limits counted in the same
 * transaction); step 2 analyses outside any transaction (a network provider may take seconds) and
 * stores the result; the asker's answers to the clarifying questions are stored with the session.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Analysis, QuickValidation } from '../coach-provider/provider.ts';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { badRequest, conflict, notFound, tooManyRequests } from '../errors.ts';
import { hashIp } from '../http/ip-hash.ts';
import { consumeDailyUnit, findExpertForCoach, findSessionByKey, insertSession, saveAnalysis, saveResponses } from './queries.ts';

const DAY_MS = 24 * 3600_000;

/** The client's device fingerprint, keyed like IPs: countable, not reversible without the secret. */
function hashFingerprint(secret: string, fingerprint: string): string {
  return `f1_${createHmac('sha256', secret).update(`coach-fingerprint:${fingerprint.trim()}`).digest('base64url').slice(0, 32)}`;
}

async function consumeLimits(ctx: AppContext, trx: Kysely<DB>, fingerprintHash: string, ipHash: string, now: Date) {
  const c = ctx.config.coach;
  const day = now.toISOString().slice(0, 10);
  const ok =
    (await consumeDailyUnit(trx, 'fingerprint', fingerprintHash, day, c.perFingerprintPerDay, now)) &&
    (await consumeDailyUnit(trx, 'ip', ipHash, day, c.perIpPerDay, now));
  if (ok) return;
  const retryAfter = Math.max(1, Math.ceil((Date.parse(day) + DAY_MS - now.getTime()) / 1000));
  // Thrown inside the transaction: a unit counted for one key is rolled back with it.
  throw tooManyRequests(
    retryAfter,
    'The question coach has reached its daily limit for this device or network. You can still send your question without it.',
    'coach_daily_limit',
  );
}

async function openSession(ctx: AppContext, key: string) {
  const s = await findSessionByKey(ctx.db, key);
  if (!s)
    throw notFound('This coaching session does not exist: check your question again to start a new one.', 'coaching_session_not_found');
  if (s.question_id !== null) throw conflict('This coaching session ended when the question was sent.', 'coaching_session_closed');
  return s;
}

export interface QuickValidateInput {
  title: string;
  fingerprint: string;
  expertId: number | null;
  ip: string;
}

export async function startCoaching(
  ctx: AppContext,
  input: QuickValidateInput,
): Promise<QuickValidation & { sessionId: string; shouldContinue: boolean }> {
  const title = input.title.trim();
  if (!title) throw badRequest('Write your question title before asking the coach.', 'title_required');
  if (!input.fingerprint.trim()) throw badRequest('fingerprint must not be empty.', 'fingerprint_required');
  if (input.expertId !== null && !(await findExpertForCoach(ctx.db, input.expertId))) {
    throw notFound('No expert has this id. Open the ask page from the expert’s profile again.', 'expert_not_found');
  }
  const result = ctx.coach.validate({ title, text: null });
  const sessionId = `cs_${randomBytes(24).toString('base64url')}`;
  const fingerprintHash = hashFingerprint(ctx.config.ipHashSecret, input.fingerprint);
  const ipHash = hashIp(ctx.config.ipHashSecret, input.ip);
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await consumeLimits(ctx, trx, fingerprintHash, ipHash, now);
    await insertSession(
      trx,
      {
        session_key: sessionId,
        fingerprint_hash: fingerprintHash,
        ip_hash: ipHash,
        expert_profile_id: input.expertId,
        title,
        provider: 'rules',
        validation: result.validation,
      },
      now,
    );
  });
  const v = result.validation;
  return { sessionId, ...result, shouldContinue: !v.isTooShort && !v.hasVagueness };
}

export interface AnalyzeInput {
  sessionId: string;
  title: string | null;
  text: string | null;
  /** The name the client shows; used only when the session names no expert. */
  expertName: string | null;
  ip: string;
}

export async function analyzeQuestion(ctx: AppContext, input: AnalyzeInput): Promise<Analysis> {
  const s = await openSession(ctx, input.sessionId);
  const ipHash = hashIp(ctx.config.ipHashSecret, input.ip);
  await ctx.db.transaction().execute((trx) => consumeLimits(ctx, trx, s.fingerprint_hash, ipHash, ctx.now()));
  const expert = s.expert_profile_id === null ? undefined : await findExpertForCoach(ctx.db, s.expert_profile_id);
  const q = { title: input.title?.trim() || s.title, text: input.text?.trim() || null };
  const { result, servedBy } = await ctx.coach.analyze(q, {
    name: expert?.name || input.expertName?.trim() || null,
    professionalTitle: expert?.professional_title ?? null,
  });
  await saveAnalysis(ctx.db, s.id, { ...q, provider: servedBy, analysis: result }, ctx.now());
  return result;
}

export async function saveClarifications(ctx: AppContext, input: { sessionId: string; responses: Record<string, string> }) {
  const s = await openSession(ctx, input.sessionId);
  const ids = ((s.analysis as Analysis | null)?.clarifications ?? []).map((c) => c.id);
  if (!ids.length) throw conflict('Ask the coach for clarifying questions first (analyze-and-guide).', 'coaching_not_analyzed');
  const unknown = Object.keys(input.responses).find((k) => !ids.includes(k));
  if (unknown !== undefined) {
    throw badRequest(
      `"${unknown}" is not a clarifying question of this session (expected one of ${ids.join(', ')}).`,
      'unknown_clarification',
    );
  }
  const answers = Object.fromEntries(
    Object.entries(input.responses)
      .map(([k, v]) => [k, v.trim()])
      .filter(([, v]) => v),
  );
  await saveResponses(ctx.db, s.id, answers, ctx.now());
}
