/**
 * The composition root: builds the AppContext from the configuration, choosing each outside
 * system's adapter (storage, video, payments, mail, jobs, coach, tickets). Only the server, the
 * CLI and the test kit import it.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createOpenAiCoach } from './coach-provider/openai.ts';
import type { CoachProvider } from './coach-provider/provider.ts';
import { createRulesCoach } from './coach-provider/rules.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import type { Database } from './db/index.ts';
import { createJobQueue } from './job-queue/queue.ts';
import { createMailer } from './mailer/factory.ts';
import { createPaymentProvider } from './payment-provider/factory.ts';
import { createLocalStorage } from './storage/local.ts';
import { createS3Storage } from './storage/s3.ts';
import { createUrlSigner, type UrlSigner } from './storage/signer.ts';
import type { Storage } from './storage/storage.ts';
import { createTicketProvider } from './tickets/factory.ts';
import { createCloudflareStream } from './video/cloudflare-stream.ts';
import { createLocalVideoHost } from './video/local.ts';
import type { VideoHost } from './video/video-host.ts';

function createStorage(config: Config, signer: UrlSigner): Storage {
  const s = config.storage;
  switch (s.kind) {
    case 'local':
      return createLocalStorage({ root: join(config.dataDir, 'storage'), publicUrl: config.publicUrl, signer });
    case 's3':
      return createS3Storage(s);
    default: {
      const unknown: never = s;
      throw new Error(`Unknown storage ${JSON.stringify(unknown)}`);
    }
  }
}

function createVideoHost(config: Config, storage: Storage, signer: UrlSigner): VideoHost {
  const v = config.video;
  switch (v.kind) {
    case 'local':
      return createLocalVideoHost({ storage, signer, publicUrl: config.publicUrl });
    case 'cloudflare-stream':
      return createCloudflareStream(v);
    default: {
      const unknown: never = v;
      throw new Error(`Unknown video host ${JSON.stringify(unknown)}`);
    }
  }
}

function createCoach(config: Config, log: Logger): CoachProvider {
  const c = config.coach;
  switch (c.provider) {
    case 'rules':
      return createRulesCoach();
    case 'openai':
      return createOpenAiCoach({ ...c, warn: (details, message) => log.warn(details, message) });
    default: {
      const unknown: never = c;
      throw new Error(`Unknown coach ${JSON.stringify(unknown)}`);
    }
  }
}

export function createContext(config: Config, database: Database, log: Logger, now: () => Date = () => new Date()): AppContext {
  const uploadSigner = createUrlSigner(config.jwtSecret);
  const storage = createStorage(config, uploadSigner);
  const video = createVideoHost(config, storage, uploadSigner);
  return {
    config,
    db: database.db,
    database,
    log,
    now,
    storage,
    video,
    uploadSigner,
    payments: createPaymentProvider(config.payments, database.db, now, config.paymentHold.hours),
    mailer: createMailer(config, log),
    jobs: createJobQueue(database, log),
    coach: createCoach(config, log),
    tickets: createTicketProvider(config.tickets),
  };
}
