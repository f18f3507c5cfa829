import { sql } from 'kysely';
import type { AppContext } from '../context.ts';

/** Another process is applying a cleanup on this database. */
export class CleanupBusyError extends Error {}

/** An arbitrary, fixed advisory-lock key for "a media cleanup is applying" (migrations use another). */
export const CLEANUP_LOCK_KEY = 7_240_517_331;
/** On PGlite one process owns the database (the data-dir lock): a flag per database suffices. */
const applying = new WeakSet<object>();

/**
 * Runs `fn` as the only applying cleanup of this database, else throws CleanupBusyError. On
 * PostgreSQL the lock is a session advisory lock on a connection reserved for it: the server frees
 * it the moment the holder's connection or process dies, so a crashed run needs no lease to run
 * out before the next one resumes it, and no heartbeat while it works.
 */
export async function withCleanupLock<T>(ctx: AppContext, fn: () => Promise<T>): Promise<T> {
  if (ctx.database.kind === 'pglite') {
    if (applying.has(ctx.database)) throw busy();
    applying.add(ctx.database);
    try {
      return await fn();
    } finally {
      applying.delete(ctx.database);
    }
  }
  return ctx.db.connection().execute(async (conn) => {
    const r = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${CLEANUP_LOCK_KEY}) AS ok`.execute(conn);
    if (!r.rows[0]?.ok) throw busy();
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${CLEANUP_LOCK_KEY})`.execute(conn);
    }
  });
}

const busy = () => new CleanupBusyError('Another media cleanup is applying on this database; run again when it has finished.');
