import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * What a lost PostgreSQL connection looks like: the server ended it (pg_terminate_backend, a
 * restart, a failover: class 57P0x), the socket closed or was refused, or the pool could not
 * connect in time. Distinct from a query error, which the same connection survives.
 */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(57P0[123]|08\d\d\d)$/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|connection is closed/i.test(message);
}

interface DatabaseHealth {
  /** false from the first lost connection until a query succeeds again. */
  up: boolean;
  outages: number;
  lastOutageAt: Date | null;
  lastRecoveredAt: Date | null;
  lastError: string | null;
}

export interface HealthTracker {
  state(): DatabaseHealth;
  lost(err: unknown): void;
  ok(): void;
}

export function createHealthTracker(now: () => Date = () => new Date()): HealthTracker {
  const s: DatabaseHealth = { up: true, outages: 0, lastOutageAt: null, lastRecoveredAt: null, lastError: null };
  return {
    state: () => ({ ...s }),
    lost(err) {
      s.lastError = (err as Error)?.message?.slice(0, 200) ?? String(err);
      if (!s.up) return;
      s.up = false;
      s.outages++;
      s.lastOutageAt = now();
    },
    ok() {
      if (s.up) return;
      s.up = true;
      s.lastRecoveredAt = now();
    },
  };
}

/** A read outside a transaction that has no effect on the server: safe to run again on a new connection. */
function idempotentRead(text: string): boolean {
  return (
    /^\s*select\b/i.test(text) &&
    !/\b(for\s+(update|share|no\s+key\s+update|key\s+share)|pg_advisory|nextval|setval|set_config)\b/i.test(text)
  );
}

/**
 * The pool Kysely gets. Every client it hands out has an 'error' listener for its whole life (pg
 * emits 'error' on a checked-out client whose connection ends between queries; unheard, that
 * kills the process). A lost connection marks the database down; a read outside a transaction is
 * retried once on a fresh connection; anything else fails and the error handler answers 503.
 */
export function resilientPool(pool: pg.Pool, health: HealthTracker): PostgresPool {
  pool.on('error', (err) => health.lost(err));
  pool.on('connect', (client) => {
    client.on('error', (err) => health.lost(err));
  });
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client = await pool.connect().catch((err) => {
        if (isConnectionLoss(err)) health.lost(err);
        throw err;
      });
      let inTransaction = false;
      let broken = false;
      let released = false;
      const run = async (text: string, params?: ReadonlyArray<unknown>) => {
        const result = await client.query(text, params as unknown[]);
        health.ok();
        if (/^\s*(begin|start\s+transaction)\b/i.test(text)) inTransaction = true;
        else if (/^\s*(commit|rollback|end)\b/i.test(text)) inTransaction = false;
        return result;
      };
      return {
        async query(text: string, params?: ReadonlyArray<unknown>) {
          try {
            return await run(text, params);
          } catch (err) {
            if (!isConnectionLoss(err)) throw err;
            health.lost(err);
            if (inTransaction || !idempotentRead(text)) {
              broken = true;
              throw err;
            }
            client.release(err as Error);
            try {
              client = await pool.connect();
            } catch (again) {
              released = true;
              throw again;
            }
            return run(text, params);
          }
        },
        release(discard?: boolean) {
          if (released) return;
          released = true;
          // A client whose connection was lost is destroyed, never handed out again.
          client.release(broken || discard ? new Error('connection discarded') : undefined);
        },
      } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
    options: pool.options,
  };
}
