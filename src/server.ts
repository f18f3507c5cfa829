import { pino } from 'pino';
import { createAdminApp } from './admin-console/app.ts';
import { createApp } from './app.ts';
import { createContext } from './compose.ts';
import type { Config } from './config.ts';
import { prepareDataDir, tighten } from './data-dir.ts';
import { openDb } from './db/index.ts';
import { type DataDirLock, lockDataDir } from './db/lock.ts';
import { startWorkers } from './jobs/scheduler.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from './migrate/index.ts';

export interface RunningServer {
  url: string;
  /** The legacy admin console's listener (ADMIN_PORT), or null when it is off. */
  adminUrl: string | null;
  stop(reason: string): Promise<void>;
}

/** loadConfig → lock → open the database → migrate → createApp → listen. */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = pino({ level: config.logLevel });
  void config.jwtSecret; // the server signs sessions: a missing secret stops it before anything opens
  prepareDataDir(config);
  const lock: DataDirLock | null = config.databaseUrl ? null : await lockDataDir(config.dataDir, 'quickchat serve');
  const started = performance.now();
  const phases: Record<string, number> = {};
  const lap = (name: string) => {
    phases[name] = Math.round(performance.now() - started);
  };
  try {
    const database = await openDb(config);
    if (!config.databaseUrl) tighten(config.dataDir);
    lap('database');
    if (config.migrateOnStart) {
      const result = await migrateUp(database.db, loadMigrations(MIGRATIONS_DIR), {
        ...config.migrate,
        onEvent: (e) => {
          if (e.type === 'waiting') log.info('waiting for the migration lock: another instance is applying migrations');
        },
      });
      if (result.applied.length) log.info({ applied: result.applied }, 'migrations applied');
      lap('migrations');
    }
    const ctx = createContext(config, database, log);
    // Before the first request: services send jobs inside their transactions (see job-queue/queue.ts).
    await ctx.jobs.start();
    lap('job queue');
    const app = await createApp(ctx);
    let draining = false;
    // While draining, every answer closes its connection: keep-alive clients reconnect elsewhere
    // instead of sending a request on a socket the close is about to end.
    app.addHook('onSend', async (_req, reply, payload) => {
      if (draining) reply.header('connection', 'close');
      return payload;
    });
    app.addHook('onRequest', async (req, reply) => {
      if (draining && req.url.split('?')[0]?.endsWith('/health')) {
        await reply
          .status(503)
          .header('retry-after', '5')
          .send({ status: 'unavailable', database: database.kind, problems: ['shutting down'] });
      }
    });
    const url = await app.listen({ port: config.port, host: config.host });
    lap('listening');
    // Workers start after the listen: a restart answers requests while pg-boss catches up.
    const workers = config.workers ? await startWorkers(ctx).catch(async (err) => Promise.reject(await app.close().then(() => err))) : null;
    const adminApp = config.adminConsole.port === null ? null : await createAdminApp(ctx);
    // A console port that cannot be bound stops the start-up, like the main port.
    const adminUrl = adminApp
      ? await adminApp.listen({ port: config.adminConsole.port ?? 0, host: config.host }).catch(async (err: unknown) => {
          await app.close();
          throw err;
        })
      : null;
    lap('workers');
    log.info(
      { url, adminUrl, database: database.kind, dataDir: config.databaseUrl ? undefined : config.dataDir, startupMs: phases },
      'QuickChat server ready',
    );
    let stopping: Promise<void> | null = null;
    return {
      url,
      adminUrl,
      stop(reason) {
        // Stop accepting, let in-flight requests finish (app.close waits for them), then close the database.
        stopping ??= (async () => {
          log.info({ reason, drainMs: config.shutdownDrainMs }, 'shutting down');
          draining = true;
          if (config.shutdownDrainMs) await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
          await Promise.all([app.close(), adminApp?.close()]);
          await (workers ?? ctx.jobs).stop();
          await ctx.mailer.close();
          await database.close();
          lock?.release();
        })();
        return stopping;
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}
