/**
 * Every environment variable the server reads, in the order `.env.example` lists them: the one
 * list the README's configuration table and `.env.example` are generated from (`npm run docs:config`).
 * Parsing and validation stay in `src/config*.ts`; `src/config-vars.test.ts` proves the two agree:
 * every variable `loadConfig` reads is listed here and every listed one is read, and setting a
 * listed `example` changes nothing (so the documented default is the real default).
 */
export interface ConfigVariable {
  name: string;
  /** The value `.env.example` sets: the default, or '' when there is none or it is derived. */
  example: string;
  /** What it does (Markdown). Omitted: shares the doc of the variable before it (one comment, one table row). */
  doc?: string;
  /** The default as the README states it, where `example` cannot (derived, generated, several values). */
  defaultText?: string;
}

export interface ConfigSection {
  title: string;
  variables: readonly ConfigVariable[];
}

export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  {
    title: 'Server',
    variables: [
      { name: 'PORT', example: '3000', doc: 'TCP port' },
      { name: 'HOST', example: '127.0.0.1', doc: 'interface to bind (`0.0.0.0` behind a load balancer)' },
      {
        name: 'PUBLIC_URL',
        example: 'http://localhost:3000',
        doc: 'public base URL of this server',
        defaultText: '`http://localhost:$PORT`',
      },
      {
        name: 'CLIENT_ORIGIN',
        example: 'http://localhost:3000',
        doc: 'origin of the web client, for e-mailed links',
        defaultText: '`PUBLIC_URL`',
      },
      { name: 'CORS_ORIGINS', example: '*', doc: 'comma-separated allowed origins' },
      {
        name: 'STATIC_DIR',
        example: '',
        doc: 'built single-page client to serve; its `index.html` answers browser GETs (Accept `text/html`) outside the API prefixes',
      },
      { name: 'BODY_LIMIT_BYTES', example: '1048576', doc: 'largest JSON body' },
      {
        name: 'TRUST_PROXY',
        example: 'false',
        doc: 'trust `X-Forwarded-For` (behind a load balancer); also turns on HSTS (as does an `https:` `PUBLIC_URL`)',
      },
      {
        name: 'HTTP_HEADERS_TIMEOUT_MS',
        example: '10000',
        doc: "longest time to receive a request's headers, in ms (slow clients are cut off)",
      },
      { name: 'HTTP_REQUEST_TIMEOUT_MS', example: '120000', doc: 'longest time to receive a whole request, body included, in ms' },
      { name: 'HTTP_IDLE_TIMEOUT_MS', example: '30000', doc: 'a connection with no traffic for this long is closed, in ms' },
      {
        name: 'HTTP_BODY_MIN_BYTES_PER_SECOND',
        example: '1024',
        doc: 'a body arriving slower (per 5-second window) is cut off with 408; `0` = no check',
      },
      { name: 'UPLOADS_PER_IP_CONCURRENT', example: '4', doc: 'uploads one client IP may have in progress at once, then 429' },
      { name: 'HTTP_MAX_IN_FLIGHT', example: '', doc: 'requests handled at once before queueing; empty = 4 on PGlite, 32 on PostgreSQL' },
      { name: 'HTTP_QUEUE_TIMEOUT_MS', example: '2000', doc: 'longest wait in that queue before 503 with Retry-After, in ms' },
      {
        name: 'METRICS_TOKEN',
        example: '',
        doc: 'bearer token (≥ 24 chars) `/metrics` requires; unset = `/metrics` answers only clients on this host (others get 404)',
      },
      { name: 'LOG_LEVEL', example: 'info', doc: 'pino log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`' },
    ],
  },
  {
    title: 'Data',
    variables: [
      {
        name: 'DATA_DIR',
        example: './data',
        doc: 'embedded database, local storage, outbox files; must be a writable directory on a disk (checked at start)',
      },
      { name: 'DATABASE_URL', example: '', doc: 'PostgreSQL; empty = embedded PGlite' },
      { name: 'MIGRATE_ON_START', example: 'true', doc: 'apply pending migrations before listening' },
      {
        name: 'MIGRATE_LOCK_TIMEOUT_MS',
        example: '1000',
        doc: 'longest wait for one lock by a migration statement (ms); on timeout the step is retried with backoff',
      },
      {
        name: 'MIGRATE_STATEMENT_TIMEOUT_MS',
        example: '600000',
        doc: 'longest run of one migration statement (ms), e.g. a VALIDATE or a concurrent index build',
      },
      {
        name: 'MIGRATE_LOCK_RETRY_BUDGET_MS',
        example: '60000',
        doc: 'total time (ms) one migration step may spend retrying after lock timeouts before the run fails',
      },
      { name: 'REDIS_URL', example: '', doc: 'shared rate-limit counters for several instances' },
    ],
  },
  {
    title: 'Sign-in and legacy integrations',
    variables: [
      {
        name: 'JWT_SECRET',
        example: '',
        doc: 'session signing secret (≥ 32 bytes); generated into `DATA_DIR/jwt-secret` (written atomically, 0600; a shorter file stops start-up) on the embedded default; required with `DATABASE_URL` by the commands that sign sessions (`serve`, `worker`, `jobs run`, `media …`), not by `migrate …`, `admin …` or `mail …`',
        defaultText: 'generated',
      },
      {
        name: 'MAGIC_LINK_IP_LIMIT_PER_HOUR',
        example: '20',
        doc: 'magic-link e-mails per client IP per rolling hour (per address, fixed: 3 per requesting network, 10 from all networks, then one every 5 minutes)',
      },
      {
        name: 'OAUTH_REDIRECT_URI',
        example: '',
        doc: 'where Google/LinkedIn send the browser back',
        defaultText: '`CLIENT_ORIGIN/auth/callback`',
      },
      { name: 'GOOGLE_CLIENT_ID', example: '', doc: 'Google sign-in; unset = its routes answer 503', defaultText: '—' },
      { name: 'GOOGLE_CLIENT_SECRET', example: '' },
      {
        name: 'GOOGLE_AUTHORIZE_URL',
        example: 'https://accounts.google.com/o/oauth2/v2/auth',
        doc: 'provider endpoints (point them at a stub for local tests)',
        defaultText: "Google's",
      },
      { name: 'GOOGLE_TOKEN_URL', example: 'https://oauth2.googleapis.com/token' },
      { name: 'GOOGLE_USERINFO_URL', example: 'https://openidconnect.googleapis.com/v1/userinfo' },
      { name: 'LINKEDIN_CLIENT_ID', example: '', doc: 'LinkedIn sign-in (OpenID Connect); unset = 503', defaultText: '—' },
      { name: 'LINKEDIN_CLIENT_SECRET', example: '' },
      {
        name: 'LINKEDIN_AUTHORIZE_URL',
        example: 'https://www.linkedin.com/oauth/v2/authorization',
        doc: 'provider endpoints',
        defaultText: "LinkedIn's",
      },
      { name: 'LINKEDIN_TOKEN_URL', example: 'https://www.linkedin.com/oauth/v2/accessToken' },
      { name: 'LINKEDIN_USERINFO_URL', example: 'https://api.linkedin.com/v2/userinfo' },
      {
        name: 'INTERNAL_API_KEY',
        example: '',
        doc: 'key (≥ 24 chars) of the legacy internal endpoints (`x_api_key` in the query or the body); unset = they answer 404',
      },
      {
        name: 'XANO_TOKEN',
        example: '',
        doc: 'Xano Metadata API token for `import xano` / `import verify` when `--token-file` is not given (never logged)',
      },
    ],
  },
  {
    title: 'Payments',
    variables: [
      {
        name: 'PAYMENTS',
        example: 'simulated',
        doc: "`simulated`: payment holds kept in PostgreSQL with Stripe's states (`create-intent` answers `isMock: true`; the documented legacy test ids `pi_test_…` are accepted as holds, a made-up `pi_mock_…` is not); `stripe`: real PaymentIntents, manual capture",
      },
      { name: 'STRIPE_SECRET_KEY', example: '', doc: 'Stripe secret key (`sk_…`), required with `PAYMENTS=stripe`' },
      {
        name: 'STRIPE_WEBHOOK_SECRET',
        example: '',
        doc: 'signing secret (`whsec_…`) of the endpoint `POST /api/webhooks/stripe`, required with `PAYMENTS=stripe`',
      },
      {
        name: 'STRIPE_API_URL',
        example: '',
        doc: 'where the Stripe API is reached (protocol, host, port); only to point the SDK at a local stub in tests',
        defaultText: "Stripe's",
      },
      {
        name: 'PAYMENT_HOLD_HOURS',
        example: '168',
        doc: "how long a card hold lasts at the provider (24–720); the simulated provider's holds end after this long",
      },
      {
        name: 'PAYMENT_HOLD_MARGIN_HOURS',
        example: '12',
        doc: 'an answer must be due this long before the hold ends (0–72, less than `PAYMENT_HOLD_HOURS`): SLAs above hold − margin (minus the 24 h offer window for Deep Dive) are refused',
      },
    ],
  },
  {
    title: 'E-mail',
    variables: [
      {
        name: 'MAIL',
        example: 'outbox',
        doc: '`outbox`: each e-mail written to `DATA_DIR/outbox/<id>.eml`, links logged; `smtp`: sent through `SMTP_*`',
      },
      { name: 'MAIL_FROM', example: 'QuickChat <no-reply@localhost>', doc: 'from header' },
      {
        name: 'MAIL_POLL_MS',
        example: '5000',
        doc: 'how often an idle e-mail worker polls its queue (values under 500 count as 500; PGlite has no LISTEN between processes)',
      },
      { name: 'SMTP_HOST', example: '', doc: 'SMTP relay (ZeptoMail, SES, Postmark…), required with MAIL=smtp' },
      { name: 'SMTP_PORT', example: '', doc: '587 (STARTTLS) by default, 465 with SMTP_SECURE=true' },
      { name: 'SMTP_SECURE', example: 'false', doc: 'true = TLS from the first byte (port 465)' },
      { name: 'SMTP_USER', example: '', doc: 'SMTP login; empty = no authentication' },
      { name: 'SMTP_PASS', example: '' },
    ],
  },
  {
    title: 'Marketing, feedback, admin',
    variables: [
      {
        name: 'IP_HASH_SECRET',
        example: '',
        doc: 'HMAC key (≥ 32 chars) for visitor IP hashes; campaign visits never store the raw IP',
        defaultText: 'derived from `JWT_SECRET`',
      },
      { name: 'TRACK_VISIT_LIMIT_PER_HOUR', example: '100', doc: 'campaign visits tracked per visitor IP hash per hour, then 429' },
      { name: 'FEEDBACK_LIMIT_PER_HOUR', example: '10', doc: 'feedback submissions per client IP per hour, then 429' },
      { name: 'QUESTION_LIMIT_PER_MINUTE', example: '10', doc: 'question submissions per client IP per minute (each path), then 429' },
      { name: 'ADMIN_SESSION_MINUTES', example: '15', doc: 'lifetime of an admin session (1–60)' },
    ],
  },
  {
    title: 'AI coach (mindPilot)',
    variables: [
      {
        name: 'COACH',
        example: 'rules',
        doc: 'AI coach of the ask page: `rules` (deterministic, no network) or `openai` (any OpenAI-compatible chat-completions endpoint, falls back to `rules`)',
      },
      { name: 'COACH_OPENAI_BASE_URL', example: 'https://api.openai.com/v1', doc: 'the endpoint (…/v1), model and key of `COACH=openai`' },
      { name: 'COACH_OPENAI_MODEL', example: 'gpt-4o-mini' },
      { name: 'COACH_OPENAI_API_KEY', example: '' },
      { name: 'COACH_TIMEOUT_MS', example: '10000', doc: 'longest wait for one endpoint request (one retry, then `rules`)' },
      {
        name: 'COACH_LIMIT_PER_FINGERPRINT_PER_DAY',
        example: '20',
        doc: 'coach requests per asker device fingerprint and per client IP per UTC day, then 429',
      },
      { name: 'COACH_LIMIT_PER_IP_PER_DAY', example: '60' },
    ],
  },
  {
    title: 'Media: storage, video, uploads, cleanup',
    variables: [
      {
        name: 'STORAGE',
        example: 'local',
        doc: '`local` (files under `DATA_DIR/storage`) or `s3` (S3, R2, MinIO: `S3_ENDPOINT`, `S3_REGION`, `S3_BUCKET`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`, `S3_FORCE_PATH_STYLE`)',
      },
      { name: 'S3_ENDPOINT', example: '', doc: 'S3-compatible endpoint; empty = AWS. R2: https://<account>.r2.cloudflarestorage.com' },
      { name: 'S3_REGION', example: 'auto', doc: 'region (R2: auto)' },
      { name: 'S3_BUCKET', example: '', doc: 'bucket name (3-63 chars), required with STORAGE=s3' },
      { name: 'S3_ACCESS_KEY_ID', example: '', doc: 'access key pair, required with STORAGE=s3' },
      { name: 'S3_SECRET_ACCESS_KEY', example: '' },
      { name: 'S3_FORCE_PATH_STYLE', example: 'true', doc: 'path-style URLs (MinIO and most S3-compatible servers need true)' },
      {
        name: 'STORAGE_PUBLIC_URL',
        example: '',
        doc: 'public base URL of the bucket; empty = objects served by `/api/media/object/<key>`',
      },
      {
        name: 'VIDEO',
        example: 'local',
        doc: '`local` (stored through `STORAGE`) or `cloudflare-stream` (`CLOUDFLARE_ACCOUNT_ID`, `CLOUDFLARE_STREAM_API_TOKEN`, `CLOUDFLARE_STREAM_CUSTOMER_CODE`, `CLOUDFLARE_API_BASE`)',
      },
      {
        name: 'CLOUDFLARE_ACCOUNT_ID',
        example: '',
        doc: 'Cloudflare account id, Stream API token and customer code (customer-<code>.cloudflarestream.com), required with VIDEO=cloudflare-stream',
      },
      { name: 'CLOUDFLARE_STREAM_API_TOKEN', example: '' },
      { name: 'CLOUDFLARE_STREAM_CUSTOMER_CODE', example: '' },
      {
        name: 'CLOUDFLARE_API_BASE',
        example: 'https://api.cloudflare.com/client/v4',
        doc: 'Cloudflare API base URL (tests point it at a local stub)',
      },
      {
        name: 'MEDIA_MAX_ATTACHMENT_BYTES',
        example: '52428800',
        doc: 'upload size limits (413 above)',
        defaultText: '50 MB / 100 MB / 200 MB / 5 MB',
      },
      { name: 'MEDIA_MAX_AUDIO_BYTES', example: '104857600' },
      { name: 'MEDIA_MAX_VIDEO_BYTES', example: '209715200' },
      { name: 'MEDIA_MAX_IMAGE_BYTES', example: '5242880' },
      { name: 'MEDIA_UPLOAD_RATE_LIMIT_PER_MINUTE', example: '30', doc: 'upload requests per client IP per minute per route' },
      { name: 'MEDIA_REGISTER_WINDOW_MINUTES', example: '360', doc: 'how long an upload may be registered as a media asset (≤ 12 h)' },
      { name: 'MEDIA_CLEANUP_GRACE_HOURS', example: '24', doc: 'age before unreferenced media may be cleaned (≥ 24)' },
      {
        name: 'MEDIA_PROXY_ALLOWED_HOSTS',
        example: '',
        doc: 'hosts (or `*.domain`) the image proxy and downloads may fetch besides our storage',
      },
    ],
  },
  {
    title: 'Account deletion, asker erasure, data export',
    variables: [
      {
        name: 'PRIVACY_PSEUDONYM_SECRET',
        example: '',
        doc: 'HMAC key (≥ 32 chars) of the pseudonyms that replace an erased person on kept payments and the erasure audit; keep it stable',
        defaultText: 'derived from `JWT_SECRET`',
      },
      {
        name: 'PAYMENT_RETENTION_DAYS',
        example: '3653',
        doc: 'how long pseudonymised payments of an erased account are kept (accounting law) before the retention job deletes them',
      },
      {
        name: 'DELETE_ACCOUNT_REAUTH_MINUTES',
        example: '5',
        doc: 'a sign-in this recent (by the same session) counts as re-authentication for account deletion',
      },
      { name: 'EXPORT_TTL_DAYS', example: '7', doc: 'lifetime of a data-export download link' },
      { name: 'EXPORT_LIMIT_PER_DAY', example: '3', doc: 'exports per account per rolling 24 h, then 429' },
      { name: 'EXPORT_MAX_BYTES', example: '536870912', doc: 'largest export archive; files beyond it are listed, not included' },
    ],
  },
  {
    title: 'Background jobs',
    variables: [
      {
        name: 'WORKERS',
        example: 'true',
        doc: 'run the background job workers in this process (`false`: API-only instance; run `quickchat worker` elsewhere)',
      },
      {
        name: 'SHUTDOWN_DRAIN_MS',
        example: '1000',
        doc: 'after SIGTERM, keep answering this long with `Connection: close` (and `/health` 503) before the listener closes, so no keep-alive request is cut off',
      },
      { name: 'JOB_SCHEDULES', example: '', doc: 'per-job cron overrides, `name=<cron>` or `name=off`, `;`-separated (UTC)' },
      { name: 'ADMIN_EMAIL', example: '', doc: 'where job failure alerts (e-mail 9) go' },
    ],
  },
  {
    title: 'Legacy admin console (its own listener, see "Legacy admin console")',
    variables: [
      { name: 'ADMIN_PORT', example: '', doc: "port of the legacy admin console's listener (its SPA and `/api`); unset = off" },
      { name: 'ADMIN_STATIC_DIR', example: '', doc: "the console's built files (`admin/dist` of the legacy repo, with `index.html`)" },
      {
        name: 'ADMIN_ORIGIN',
        example: '',
        doc: "comma-separated origins the console is reached at; its writes must carry one (CSRF); the first is used in links and decides the cookie's `Secure`",
        defaultText: '`http://localhost:$ADMIN_PORT`, `http://127.0.0.1:$ADMIN_PORT`',
      },
      {
        name: 'TICKETS',
        example: 'off',
        doc: '`jira`: the console\'s "Create Jira" files feedback through `JIRA_BASE_URL`, `JIRA_EMAIL`, `JIRA_API_TOKEN`, `JIRA_PROJECT_KEY`; `off`: it answers 503',
      },
      { name: 'JIRA_BASE_URL', example: '', doc: 'Jira Cloud site, e.g. https://yourteam.atlassian.net (required with TICKETS=jira)' },
      { name: 'JIRA_EMAIL', example: '', doc: 'Jira account e-mail and API token for Basic authentication (required with TICKETS=jira)' },
      { name: 'JIRA_API_TOKEN', example: '' },
      { name: 'JIRA_PROJECT_KEY', example: '', doc: 'project key the tickets go to, e.g. FB (required with TICKETS=jira)' },
      {
        name: 'JIRA_WEBHOOK_SECRET',
        example: '',
        doc: "secret (≥ 16 chars) of the signed `POST /api/jira-webhook` on the console's listener; unset = 404",
      },
    ],
  },
];
