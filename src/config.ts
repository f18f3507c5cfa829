import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { type AdminConsoleConfig, adminConsoleConfig } from './config-admin-console.ts';
import { type CoachConfig, coachConfig } from './config-coach.ts';
import { bool, ConfigError, databaseUrlOf, dataDirOf, type Env, int, logLevel, optional, required, str, url } from './config-env.ts';
import { type HttpLimitsConfig, httpLimitsConfig } from './config-http.ts';
import type { S3StorageOptions } from './storage/s3.ts';
import { type TicketsConfig, ticketsConfig } from './tickets/config.ts';

export { ConfigError } from './config-env.ts';

/** The whole configuration, parsed once from the environment. The only reader of process.env. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** null = embedded PGlite under dataDir/pglite. */
  databaseUrl: string | null;
  jwtSecret: string;
  publicUrl: string;
  /** Origin of the single-page client, used in e-mailed links. */
  clientOrigin: string;
  corsOrigins: string[] | '*';
  staticDir: string | null;
  migrateOnStart: boolean;
  /** Lock discipline of migrations: longest wait per lock, per statement, and total retry time per step. */
  migrate: { lockTimeoutMs: number; statementTimeoutMs: number; lockRetryBudgetMs: number };
  logLevel: string;
  bodyLimitBytes: number;
  /** Shared rate-limit counters across instances; null = in memory. */
  redisUrl: string | null;
  /** Trust X-Forwarded-For from a load balancer in front (client IPs for rate limits). */
  trustProxy: boolean;
  /** Run the background job workers in this process (WORKERS=false: API-only instance). */
  workers: boolean;
  /** After SIGTERM, keep answering (with `Connection: close`, /health 503) this long before closing. */
  shutdownDrainMs: number;
  /** Cron schedule per job name, defaults overridden by JOB_SCHEDULES ("name=cron;name=off"). */
  jobSchedules: Readonly<Record<string, string>>;
  /** Operational alerts (failed jobs) go here; null = logged only. */
  adminEmail: string | null;
  /** Object storage (STORAGE), video host (VIDEO) and upload/cleanup limits. */
  storage: StorageConfig;
  video: VideoConfig;
  media: MediaConfig;
  /** Which payment provider holds and captures the askers' payments (PAYMENTS). */
  payments: PaymentsConfig;
  /** How long a card hold lasts at the provider, and the safety margin the SLAs must leave before it ends. */
  paymentHold: PaymentHoldConfig;
  /** HMAC key for visitor IP hashes (campaign visits): IPs are never stored raw. */
  ipHashSecret: string;
  /** Visits tracked per visitor IP hash per hour before 429. */
  trackVisitLimitPerHour: number;
  /** Feedback submissions per IP per hour before 429. */
  feedbackLimitPerHour: number;
  /** Question submissions (each path) per client IP per minute before 429. */
  questionLimitPerMinute: number;
  /** Lifetime of an admin session issued by POST /api/auth/verify. */
  adminSessionMinutes: number;
  /** E-mail delivery (MAIL=outbox|smtp) and how often the outbox worker runs. */
  mail: MailConfig;
  /** Google and LinkedIn sign-in; provider URLs come from here so tests can use a local stub. */
  oauth: OAuthConfig;
  /** Magic-link e-mails per client IP per rolling hour (the per-address limit is fixed at 3). */
  magicLinkIpLimitPerHour: number;
  /** Shared key of the legacy internal endpoints (`x_api_key`); null = those endpoints are off. */
  internalApiKey: string | null;
  /** Metadata API token for `quickchat import xano` when no --token-file is given; never logged. */
  xanoToken: string | null;
  /** Account deletion, asker erasure, data export and retention of pseudonymised payments. */
  privacy: PrivacyConfig;
  /** Timeouts, body rate, upload and in-flight caps, /metrics access (src/config-http.ts). */
  http: HttpLimitsConfig;
  /** The ask page's AI coach (COACH=rules|openai) and its daily limits. */
  coach: CoachConfig;
  /** The legacy admin console's listener (ADMIN_PORT, ADMIN_STATIC_DIR, ADMIN_ORIGIN). */
  adminConsole: AdminConsoleConfig;
  /** Feedback tickets (TICKETS=off|jira) and the Jira webhook secret. */
  tickets: TicketsConfig;
}

interface PrivacyConfig {
  /** HMAC key of the pseudonyms that replace an erased person on kept payment rows and the audit. */
  pseudonymSecret: string;
  /** How long a pseudonymised payment of an erased account is kept (accounting law), in days. */
  paymentRetentionDays: number;
  /** A sign-in this recent counts as re-authentication for DELETE /me/delete-account. */
  reauthMinutes: number;
  /** Lifetime of an export's download link, in days. */
  exportTtlDays: number;
  /** Exports per account per rolling 24 hours before 429. */
  exportsPerDay: number;
  /** Largest export archive, in bytes (files beyond it are listed, not included). */
  exportMaxBytes: number;
}

/**
 * Pseudonyms must be stable across instances and restarts (a retried deletion, the payer of two
 * payments); without PRIVACY_PSEUDONYM_SECRET the key is derived from the JWT secret.
 */
function privacyConfig(env: Env, jwt: string | null): PrivacyConfig {
  const given = env.PRIVACY_PSEUDONYM_SECRET?.trim();
  if (given && given.length < 32) throw new ConfigError('PRIVACY_PSEUDONYM_SECRET must be at least 32 characters');
  const secret = given || (jwt && createHmac('sha256', jwt).update('quickchat-privacy-pseudonym').digest('base64url'));
  const fields = {
    ...(secret ? { pseudonymSecret: secret } : {}),
    paymentRetentionDays: int(env, 'PAYMENT_RETENTION_DAYS', 3653, 1, 36_500),
    reauthMinutes: int(env, 'DELETE_ACCOUNT_REAUTH_MINUTES', 5, 1, 60),
    exportTtlDays: int(env, 'EXPORT_TTL_DAYS', 7, 1, 30),
    exportsPerDay: int(env, 'EXPORT_LIMIT_PER_DAY', 3, 1, 100),
    exportMaxBytes: int(env, 'EXPORT_MAX_BYTES', 512 * 1024 * 1024, 1024 * 1024, 10 * 1024 * 1024 * 1024),
  };
  return Object.freeze(secret ? fields : lazySecrets(fields, ['pseudonymSecret'])) as PrivacyConfig;
}

/** Secrets are keys: at least 32 bytes, or a guessable key would let anyone forge a session. */
const MIN_SECRET_BYTES = 32;

/**
 * The embedded default must run without any setup, so a missing JWT_SECRET is generated once
 * and kept in DATA_DIR (written atomically, 0600): restarts keep sessions valid. With
 * DATABASE_URL (several instances) every instance must share one secret, so it is required
 * there — but only by the commands that sign or check something (null = missing).
 */
function jwtSecret(env: Env, dataDir: string, databaseUrl: string | null): string | null {
  const given = env.JWT_SECRET?.trim();
  if (given) {
    if (Buffer.byteLength(given) < MIN_SECRET_BYTES) throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    return given;
  }
  if (databaseUrl) return null;
  const file = join(dataDir, 'jwt-secret');
  try {
    if (existsSync(file)) {
      const kept = readFileSync(file, 'utf8').trim();
      if (Buffer.byteLength(kept) < MIN_SECRET_BYTES) {
        throw new ConfigError(`JWT_SECRET: ${file} holds a secret shorter than ${MIN_SECRET_BYTES} bytes; delete it to generate a new one`);
      }
      return kept;
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(48).toString('base64url');
    writeFileAtomic(file, `${secret}\n`);
    return secret;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`DATA_DIR ${dataDir} is not a writable directory (${reason})`);
  }
}

const MISSING_JWT = 'JWT_SECRET is required with DATABASE_URL: every instance must share it';

/** The secrets derived from JWT_SECRET, as getters that stop a command that needs them when it is missing. */
function lazySecrets<T extends object>(target: T, names: string[]): T {
  for (const name of names) {
    Object.defineProperty(target, name, {
      enumerable: true,
      get() {
        throw new ConfigError(MISSING_JWT);
      },
    });
  }
  return target;
}

/**
 * Visitor IPs are hashed with an HMAC key. Without IP_HASH_SECRET the key is derived from the
 * JWT secret, so every instance that shares JWT_SECRET computes the same hashes.
 */
function ipHashSecret(env: Env, jwt: string | null): string | null {
  const given = env.IP_HASH_SECRET?.trim();
  if (given) {
    if (given.length < 32) throw new ConfigError('IP_HASH_SECRET must be at least 32 characters');
    return given;
  }
  if (!jwt) return null;
  return createHmac('sha256', jwt).update('quickchat-ip-hash').digest('base64url');
}

export type PaymentsConfig =
  | { provider: 'simulated' }
  | {
      provider: 'stripe';
      secretKey: string;
      webhookSecret: string;
      /** Where the Stripe API is reached; null = Stripe itself. Tests point it at a local stub. */
      apiUrl: { protocol: 'http' | 'https'; host: string; port: number } | null;
    };

/** PAYMENTS=simulated (default, no account needed) or stripe (needs the two Stripe secrets). */
function payments(env: Env): PaymentsConfig {
  const provider = str(env, 'PAYMENTS', 'simulated');
  if (provider === 'simulated') return { provider };
  if (provider !== 'stripe') throw new ConfigError(`PAYMENTS must be simulated or stripe, got "${provider}"`);
  const secretKey = env.STRIPE_SECRET_KEY?.trim();
  if (!secretKey) throw new ConfigError('STRIPE_SECRET_KEY is required with PAYMENTS=stripe');
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET?.trim();
  if (!webhookSecret) throw new ConfigError('STRIPE_WEBHOOK_SECRET is required with PAYMENTS=stripe (your endpoint whsec_…)');
  const raw = env.STRIPE_API_URL?.trim();
  if (!raw) return { provider, secretKey, webhookSecret, apiUrl: null };
  const u = new URL(url(env, 'STRIPE_API_URL', raw));
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError('STRIPE_API_URL must be an http(s) URL');
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  const port = u.port ? Number(u.port) : protocol === 'http' ? 80 : 443;
  return { provider, secretKey, webhookSecret, apiUrl: { protocol, host: u.hostname, port } };
}

interface PaymentHoldConfig {
  /** A manual-capture card hold lasts this long (Stripe: 7 days for most cards). */
  hours: number;
  /** An answer must be due at least this long before the hold ends (capture takes time, clocks drift). */
  marginHours: number;
}

/** PAYMENT_HOLD_HOURS and PAYMENT_HOLD_MARGIN_HOURS; a margin that eats the whole hold would leave no SLA at all. */
function paymentHoldConfig(env: Env): PaymentHoldConfig {
  const hours = int(env, 'PAYMENT_HOLD_HOURS', 168, 24, 720);
  const marginHours = int(env, 'PAYMENT_HOLD_MARGIN_HOURS', 12, 0, 72);
  if (marginHours >= hours) {
    throw new ConfigError(`PAYMENT_HOLD_MARGIN_HOURS (${marginHours}) must be less than PAYMENT_HOLD_HOURS (${hours})`);
  }
  return Object.freeze({ hours, marginHours });
}

type StorageConfig = { kind: 'local' } | ({ kind: 's3' } & S3StorageOptions);

type VideoConfig =
  | { kind: 'local' }
  | { kind: 'cloudflare-stream'; accountId: string; apiToken: string; customerCode: string; apiBase: string };

interface MediaConfig {
  /** Base URL where stored objects are publicly readable (e.g. an r2.dev domain); null = our own route. */
  storagePublicUrl: string | null;
  maxAttachmentBytes: number;
  maxAudioBytes: number;
  maxVideoBytes: number;
  maxImageBytes: number;
  /** Upload requests per client IP per minute. */
  uploadRateLimitPerMinute: number;
  /** How long an anonymous upload may be registered as a media asset. */
  registerWindowMinutes: number;
  /** An unreferenced media row or object is cleaned only after this many hours (≥ 24). */
  cleanupGraceHours: number;
  /** Hosts /api/proxy-image and the download routes may fetch besides our own storage. */
  proxyAllowedHosts: string[];
}

/** STORAGE=local (files under DATA_DIR/storage) or s3 (S3, R2, MinIO). */
function storageConfig(env: Env): StorageConfig {
  const kind = str(env, 'STORAGE', 'local');
  switch (kind) {
    case 'local':
      return { kind };
    case 's3': {
      const why = 'with STORAGE=s3';
      const endpoint = env.S3_ENDPOINT?.trim() ? url(env, 'S3_ENDPOINT', '') : null;
      const bucket = required(env, 'S3_BUCKET', why);
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('S3_BUCKET must be a valid bucket name (3–63 chars)');
      return {
        kind,
        endpoint,
        region: str(env, 'S3_REGION', 'auto'),
        bucket,
        accessKeyId: required(env, 'S3_ACCESS_KEY_ID', why),
        secretAccessKey: required(env, 'S3_SECRET_ACCESS_KEY', why),
        forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', true),
      };
    }
    default:
      throw new ConfigError(`STORAGE must be local or s3, got "${kind}"`);
  }
}

/** VIDEO=local (stored through STORAGE, served by us) or cloudflare-stream. */
function videoConfig(env: Env): VideoConfig {
  const kind = str(env, 'VIDEO', 'local');
  switch (kind) {
    case 'local':
      return { kind };
    case 'cloudflare-stream': {
      const why = 'with VIDEO=cloudflare-stream';
      return {
        kind,
        accountId: required(env, 'CLOUDFLARE_ACCOUNT_ID', why),
        apiToken: required(env, 'CLOUDFLARE_STREAM_API_TOKEN', why),
        customerCode: required(env, 'CLOUDFLARE_STREAM_CUSTOMER_CODE', why),
        apiBase: url(env, 'CLOUDFLARE_API_BASE', 'https://api.cloudflare.com/client/v4'),
      };
    }
    default:
      throw new ConfigError(`VIDEO must be local or cloudflare-stream, got "${kind}"`);
  }
}

function mediaConfig(env: Env): MediaConfig {
  const MB = 1024 * 1024;
  const hosts = str(env, 'MEDIA_PROXY_ALLOWED_HOSTS', '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of hosts) {
    if (!/^(\*\.)?[a-z0-9.-]+$/.test(h)) throw new ConfigError(`MEDIA_PROXY_ALLOWED_HOSTS: "${h}" is not a host name (or *.domain)`);
  }
  return {
    storagePublicUrl: env.STORAGE_PUBLIC_URL?.trim() ? url(env, 'STORAGE_PUBLIC_URL', '') : null,
    maxAttachmentBytes: int(env, 'MEDIA_MAX_ATTACHMENT_BYTES', 50 * MB, 1024, 5 * 1024 * MB),
    maxAudioBytes: int(env, 'MEDIA_MAX_AUDIO_BYTES', 100 * MB, 1024, 5 * 1024 * MB),
    maxVideoBytes: int(env, 'MEDIA_MAX_VIDEO_BYTES', 200 * MB, 1024, 5 * 1024 * MB),
    maxImageBytes: int(env, 'MEDIA_MAX_IMAGE_BYTES', 5 * MB, 1024, 100 * MB),
    uploadRateLimitPerMinute: int(env, 'MEDIA_UPLOAD_RATE_LIMIT_PER_MINUTE', 30, 1, 100_000),
    registerWindowMinutes: int(env, 'MEDIA_REGISTER_WINDOW_MINUTES', 360, 5, 720),
    cleanupGraceHours: int(env, 'MEDIA_CLEANUP_GRACE_HOURS', 24, 24, 24 * 90),
    proxyAllowedHosts: hosts,
  };
}

/** JOB_SCHEDULES="expire-offers=0,30 * * * *;daily-digest=off": per-job overrides of the default crons. */
function jobSchedules(env: Env): Readonly<Record<string, string>> {
  const raw = env.JOB_SCHEDULES?.trim();
  const out: Record<string, string> = {};
  if (!raw) return Object.freeze(out);
  for (const part of raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const cron = part.slice(eq + 1).trim();
    if (eq <= 0 || !/^[a-z0-9-]+$/.test(name) || !(cron === 'off' || cron.split(/\s+/).length === 5)) {
      throw new ConfigError(`JOB_SCHEDULES entries must be "job-name=<5-field cron>" or "job-name=off", got "${part}"`);
    }
    out[name] = cron;
  }
  return Object.freeze(out);
}

interface MailConfig {
  kind: 'outbox' | 'smtp';
  /** From header, e.g. `QuickChat <no-reply@example.com>`. */
  from: string;
  smtp: { host: string; port: number; secure: boolean; user: string | null; pass: string | null } | null;
  /** Interval of the in-process outbox worker; 0 = off (another process delivers). */
  pollMs: number;
}

/** MAIL=outbox (default: .eml files under DATA_DIR/outbox) or smtp (any relay: ZeptoMail, SES…). */
function mailConfig(env: Env): MailConfig {
  const kind = str(env, 'MAIL', 'outbox');
  const from = str(env, 'MAIL_FROM', 'QuickChat <no-reply@localhost>');
  if (!/@[^\s>]+>?\s*$/.test(from)) throw new ConfigError(`MAIL_FROM must be an address or "Name <address>", got "${from}"`);
  const pollMs = int(env, 'MAIL_POLL_MS', 5000, 0, 3_600_000);
  if (kind === 'outbox') return { kind, from, smtp: null, pollMs };
  if (kind !== 'smtp') throw new ConfigError(`MAIL must be outbox or smtp, got "${kind}"`);
  const secure = bool(env, 'SMTP_SECURE', false);
  return {
    kind,
    from,
    pollMs,
    smtp: {
      host: required(env, 'SMTP_HOST', 'with MAIL=smtp'),
      port: int(env, 'SMTP_PORT', secure ? 465 : 587, 1, 65535),
      secure,
      user: optional(env, 'SMTP_USER'),
      pass: optional(env, 'SMTP_PASS'),
    },
  };
}

interface OAuthProviderConfig {
  /** null = this provider's sign-in answers 503 until configured. */
  clientId: string | null;
  clientSecret: string | null;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
}

interface OAuthConfig {
  /** Where the provider sends the browser back: the client's /auth/callback page. */
  redirectUri: string;
  google: OAuthProviderConfig;
  linkedin: OAuthProviderConfig;
}

function oauthProvider(env: Env, p: 'GOOGLE' | 'LINKEDIN', urls: [string, string, string]): OAuthProviderConfig {
  const clientId = optional(env, `${p}_CLIENT_ID`);
  const clientSecret = optional(env, `${p}_CLIENT_SECRET`);
  if (Boolean(clientId) !== Boolean(clientSecret)) throw new ConfigError(`${p}_CLIENT_ID and ${p}_CLIENT_SECRET must be set together`);
  return {
    clientId,
    clientSecret,
    authorizeUrl: url(env, `${p}_AUTHORIZE_URL`, urls[0]),
    tokenUrl: url(env, `${p}_TOKEN_URL`, urls[1]),
    userinfoUrl: url(env, `${p}_USERINFO_URL`, urls[2]),
  };
}

function oauthConfig(env: Env, clientOrigin: string): OAuthConfig {
  return {
    redirectUri: url(env, 'OAUTH_REDIRECT_URI', `${clientOrigin}/auth/callback`),
    google: oauthProvider(env, 'GOOGLE', [
      'https://accounts.google.com/o/oauth2/v2/auth',
      'https://oauth2.googleapis.com/token',
      'https://openidconnect.googleapis.com/v1/userinfo',
    ]),
    linkedin: oauthProvider(env, 'LINKEDIN', [
      'https://www.linkedin.com/oauth/v2/authorization',
      'https://www.linkedin.com/oauth/v2/accessToken',
      'https://api.linkedin.com/v2/userinfo',
    ]),
  };
}

function internalApiKey(env: Env): string | null {
  const v = env.INTERNAL_API_KEY?.trim();
  if (!v) return null;
  if (v.length < 24) throw new ConfigError('INTERNAL_API_KEY must be at least 24 characters');
  return v;
}

function adminEmail(env: Env): string | null {
  const v = env.ADMIN_EMAIL?.trim();
  if (!v) return null;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) throw new ConfigError(`ADMIN_EMAIL must be an e-mail address, got "${v}"`);
  return v;
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = dataDirOf(env);
  const databaseUrl = databaseUrlOf(env);
  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`);
  const cors = str(env, 'CORS_ORIGINS', '*');
  const staticDir = env.STATIC_DIR?.trim() ? resolve(env.STATIC_DIR.trim()) : null;
  const jwt = jwtSecret(env, dataDir, databaseUrl);
  if (staticDir && !existsSync(join(staticDir, 'index.html'))) {
    throw new ConfigError(`STATIC_DIR must contain index.html: ${staticDir}`);
  }
  const ipHash = ipHashSecret(env, jwt);
  const config = {
    port,
    host: str(env, 'HOST', '127.0.0.1'),
    dataDir,
    databaseUrl,
    ...(jwt ? { jwtSecret: jwt } : {}),
    publicUrl,
    clientOrigin: url(env, 'CLIENT_ORIGIN', publicUrl),
    corsOrigins:
      cors === '*'
        ? '*'
        : Object.freeze(
            cors
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          ),
    staticDir,
    migrateOnStart: bool(env, 'MIGRATE_ON_START', true),
    migrate: Object.freeze({
      lockTimeoutMs: int(env, 'MIGRATE_LOCK_TIMEOUT_MS', 1000, 1, 600_000),
      statementTimeoutMs: int(env, 'MIGRATE_STATEMENT_TIMEOUT_MS', 600_000, 1, 86_400_000),
      lockRetryBudgetMs: int(env, 'MIGRATE_LOCK_RETRY_BUDGET_MS', 60_000, 0, 3_600_000),
    }),
    logLevel: logLevel(env),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    redisUrl: optional(env, 'REDIS_URL'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    workers: bool(env, 'WORKERS', true),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', 1000, 0, 60_000),
    jobSchedules: jobSchedules(env),
    adminEmail: adminEmail(env),
    storage: storageConfig(env),
    video: videoConfig(env),
    media: mediaConfig(env),
    payments: payments(env),
    paymentHold: paymentHoldConfig(env),
    ...(ipHash ? { ipHashSecret: ipHash } : {}),
    trackVisitLimitPerHour: int(env, 'TRACK_VISIT_LIMIT_PER_HOUR', 100, 1, 100_000),
    feedbackLimitPerHour: int(env, 'FEEDBACK_LIMIT_PER_HOUR', 10, 1, 10_000),
    questionLimitPerMinute: int(env, 'QUESTION_LIMIT_PER_MINUTE', 10, 1, 100_000),
    adminSessionMinutes: int(env, 'ADMIN_SESSION_MINUTES', 15, 1, 60),
    mail: mailConfig(env),
    oauth: oauthConfig(env, url(env, 'CLIENT_ORIGIN', publicUrl)),
    magicLinkIpLimitPerHour: int(env, 'MAGIC_LINK_IP_LIMIT_PER_HOUR', 20, 1, 100_000),
    internalApiKey: internalApiKey(env),
    xanoToken: optional(env, 'XANO_TOKEN'),
    privacy: privacyConfig(env, jwt),
    http: httpLimitsConfig(env),
    coach: coachConfig(env),
    adminConsole: adminConsoleConfig(env),
    tickets: ticketsConfig(env),
  };
  const missing = [...(jwt ? [] : ['jwtSecret']), ...(ipHash ? [] : ['ipHashSecret'])];
  return Object.freeze(lazySecrets(config, missing)) as Config;
}
