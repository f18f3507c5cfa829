import { ConfigError, type Env, int, optional } from './config-env.ts';

/** Slow-client and overload limits of the HTTP server (read by loadConfig). */
export interface HttpLimitsConfig {
  /** Longest time to receive a request's headers (slowloris on headers). */
  headersTimeoutMs: number;
  /** Longest time to receive a whole request, body included. */
  requestTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed. */
  idleTimeoutMs: number;
  /** A body arriving slower than this, measured over 5-second windows, is cut off with 408. */
  bodyMinBytesPerSecond: number;
  /** Uploads one client IP may have in progress at once; more answer 429. */
  uploadsPerIp: number;
  /** Requests handled at once; more wait in a queue. null = by database: 4 on PGlite (one connection), 32 on PostgreSQL. */
  maxInFlight: number | null;
  /** Longest wait in that queue before a 503 with Retry-After. */
  queueTimeoutMs: number;
  /** Bearer token /metrics asks for; null = /metrics answers loopback clients only. */
  metricsToken: string | null;
}

export function httpLimitsConfig(env: Env): HttpLimitsConfig {
  const token = optional(env, 'METRICS_TOKEN');
  if (token && token.length < 24) throw new ConfigError('METRICS_TOKEN must be at least 24 characters');
  return Object.freeze({
    headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    idleTimeoutMs: int(env, 'HTTP_IDLE_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    bodyMinBytesPerSecond: int(env, 'HTTP_BODY_MIN_BYTES_PER_SECOND', 1024, 0, 100 * 1024 * 1024),
    uploadsPerIp: int(env, 'UPLOADS_PER_IP_CONCURRENT', 4, 1, 1000),
    maxInFlight: env.HTTP_MAX_IN_FLIGHT?.trim() ? int(env, 'HTTP_MAX_IN_FLIGHT', 32, 1, 10_000) : null,
    queueTimeoutMs: int(env, 'HTTP_QUEUE_TIMEOUT_MS', 2000, 0, 60_000),
    metricsToken: token,
  });
}
