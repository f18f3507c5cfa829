import type { Logger } from 'pino';
import type { CoachProvider } from './coach-provider/provider.ts';
import type { Config } from './config.ts';
import type { Database, Db } from './db/index.ts';
import type { JobQueue } from './job-queue/queue.ts';
import type { Mailer } from './mailer/mailer.ts';
import type { PaymentProvider } from './payment-provider/provider.ts';
import type { UrlSigner } from './storage/signer.ts';
import type { Storage } from './storage/storage.ts';
import type { TicketProvider } from './tickets/provider.ts';
import type { VideoHost } from './video/video-host.ts';

/**
 * Everything a route, service or job needs, built once at start-up by createContext
 * (compose.ts, the only place where adapters are chosen); tests build it with the local defaults.
 * Types only: every domain imports this file, so it imports no domain's code.
 */
export interface AppContext {
  config: Config;
  db: Db;
  database: Database;
  log: Logger;
  /** Holds, captures and releases the askers' payments (PAYMENTS=simulated|stripe). */
  payments: PaymentProvider;
  /** After-commit work (pg-boss): services send jobs inside their transaction; start() at start-up. */
  jobs: JobQueue;
  /** The clock: inject a fixed one in tests instead of faking timers. */
  now: () => Date;
  /** Delivers the e-mail outbox (MAIL=outbox|smtp); only the outbox worker calls it. */
  mailer: Mailer;
  /** Uploads, attachments, pictures, audio (STORAGE=local|s3). */
  storage: Storage;
  /** Video recordings (VIDEO=local|cloudflare-stream). */
  video: VideoHost;
  /** Signs the upload URLs our own routes accept (local storage and local video host). */
  uploadSigner: UrlSigner;
  /** The ask page's AI coach (COACH=rules|openai). */
  coach: CoachProvider;
  /** Where the admin console files feedback tickets (TICKETS=off|jira); null = off. */
  tickets: TicketProvider | null;
}
