import { ConfigError, type Env, int, optional, str, url } from './config-env.ts';

/** The ask page's AI coach (COACH=rules|openai) and its daily limits (read by loadConfig). */
export type CoachConfig = {
  timeoutMs: number;
  /** Coach requests per asker fingerprint and per client IP per UTC day before 429. */
  perFingerprintPerDay: number;
  perIpPerDay: number;
} & ({ provider: 'rules' } | { provider: 'openai'; baseUrl: string; model: string; apiKey: string | null });

export function coachConfig(env: Env): CoachConfig {
  const provider = str(env, 'COACH', 'rules');
  const limits = {
    timeoutMs: int(env, 'COACH_TIMEOUT_MS', 10_000, 100, 120_000),
    perFingerprintPerDay: int(env, 'COACH_LIMIT_PER_FINGERPRINT_PER_DAY', 20, 1, 100_000),
    perIpPerDay: int(env, 'COACH_LIMIT_PER_IP_PER_DAY', 60, 1, 1_000_000),
  };
  if (provider === 'rules') return Object.freeze({ ...limits, provider });
  if (provider !== 'openai') throw new ConfigError(`COACH must be rules or openai, got "${provider}"`);
  const baseUrl = url(env, 'COACH_OPENAI_BASE_URL', 'https://api.openai.com/v1');
  const model = str(env, 'COACH_OPENAI_MODEL', 'gpt-4o-mini');
  return Object.freeze({ ...limits, provider, baseUrl, model, apiKey: optional(env, 'COACH_OPENAI_API_KEY') });
}
