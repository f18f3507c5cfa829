import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { fromPglite, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/index.ts';
import type { DB } from '../db/schema.ts';
import { QUEUES, type QueueName, type QueuePayload } from './queues.ts';

interface SendOptions {
  /**
   * The idempotency key, from domain ids (`email:42`, `capture:q17`): the job id is derived from
   * it, so sending the same key twice, or a retried transaction sending it again, queues one job.
   */
  key: string;
  /** Do not run before this time, or before this many seconds from now (on the database's clock). */
  startAfter?: Date | number;
}

/**
 * The one way to do work after commit: `send` writes the job through the caller's transaction
 * (pg-boss's `db` option), so the job exists exactly when the business rows it refers to do.
 */
export interface JobQueue {
  /** Idempotent; must run before the first send (PGlite has one connection: see start()). */
  start(): Promise<void>;
  send<Q extends QueueName>(trx: Kysely<DB>, queue: Q, payload: QueuePayload<Q>, opts: SendOptions): Promise<void>;
  /** Many jobs of one queue in one statement (same idempotency rule as send). */
  sendMany<Q extends QueueName>(trx: Kysely<DB>, queue: Q, jobs: ({ payload: QueuePayload<Q> } & SendOptions)[]): Promise<void>;
  /** The pg-boss instance, for workers and the operator commands; start() first. */
  boss(): PgBoss;
  stop(): Promise<void>;
}

/** pg-boss needs a UUID id: a stable one from queue + key makes a repeated send a no-op (ON CONFLICT). */
export function jobId(queue: string, key: string): string {
  const h = createHash('sha256').update(`${queue}\0${key}`).digest('hex');
  // Shaped as an RFC 4122 version-5-style UUID (name-based).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** pg-boss statements run on the business transaction's connection. */
export function executorOn(trx: Kysely<DB>) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const r = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: r.rows as unknown[] };
    },
  };
}

function newBoss(database: Database, log: Logger): PgBoss {
  const boss = database.pglite
    ? // PGlite has no LISTEN between sessions: workers poll (MAIL_POLL_MS for e-mail, 2 s otherwise).
      new PgBoss({ db: fromPglite(database.pglite), backend: 'pglite' })
    : new PgBoss({ connectionString: database.connectionString as string, max: 4 });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  return boss;
}

/**
 * Creates the queue client over our database. Starting it installs or checks pg-boss's schema and
 * creates every queue of the registry with its policy, so `send` never meets an unknown queue.
 * Scheduling and supervision (cron, expiry, dead letters) belong to the workers' instance
 * (startWorkers); an API-only instance just sends.
 */
export function createJobQueue(database: Database, log: Logger): JobQueue {
  let boss: PgBoss | null = null;
  let starting: Promise<void> | null = null;
  // PGlite has one connection: a start() still running when a transaction sends would queue its
  // statements behind that transaction, which waits for them. So sending requires a finished start.
  const started = () => {
    if (!boss) throw new Error('The job queue is not started: call ctx.jobs.start() at start-up.');
    return boss;
  };
  return {
    start() {
      starting ??= (async () => {
        const b = newBoss(database, log);
        await b.start();
        for (const [name, q] of Object.entries(QUEUES)) {
          await b.createQueue(`${name}-dead`);
          const policy = { ...q.policy, deadLetter: `${name}-dead` };
          // createQueue leaves an existing queue as it was: updateQueue carries a changed policy
          // (a new retry limit or back-off) to queues created by an earlier release.
          await b.createQueue(name, policy);
          await b.updateQueue(name, policy);
        }
        boss = b;
      })();
      return starting;
    },
    async send(trx, queue, payload, opts) {
      await started().send(queue, payload as object, {
        id: jobId(queue, opts.key),
        ...(opts.startAfter !== undefined ? { startAfter: opts.startAfter } : {}),
        db: executorOn(trx),
      });
    },
    async sendMany(trx, queue, jobs) {
      if (!jobs.length) return;
      const rows = jobs.map((j) => ({
        id: jobId(queue, j.key),
        data: j.payload as object,
        ...(j.startAfter !== undefined ? { startAfter: j.startAfter } : {}),
      }));
      await started().insert(queue, rows, { db: executorOn(trx) });
    },
    boss: started,
    async stop() {
      const b = boss;
      boss = null;
      starting = null;
      await b?.stop({ graceful: true, timeout: 20_000, close: true });
    },
  };
}
