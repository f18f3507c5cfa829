import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { createContext } from '../src/compose.ts';
import { type Config, loadConfig } from '../src/config.ts';
import type { AppContext } from '../src/context.ts';
import type { Database } from '../src/db/index.ts';
import type { App } from '../src/http/app-type.ts';
import { freshDatabase } from './db.ts';

export interface TestApp {
  app: App;
  ctx: AppContext;
  database: Database;
  /** Move the injected clock; services read time only through ctx.now. */
  clock: { now: Date; advance(ms: number): void };
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export function testConfig(env: Record<string, string> = {}): Config {
  // Tests ask many questions from one address; the question limit itself is tested with its own value.
  return loadConfig({
    JWT_SECRET: TEST_SECRET,
    DATA_DIR: '/tmp/qc-test-unused',
    LOG_LEVEL: 'silent',
    QUESTION_LIMIT_PER_MINUTE: '100000',
    ...env,
  });
}

/** A full app on a fresh database, for app.inject() tests. One per test file (beforeAll). */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const clock = {
    now: new Date('2026-03-02T10:00:00.000Z'),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const ctx = createContext(testConfig(env), database, pino({ level: 'silent' }), () => clock.now);
  await ctx.jobs.start();
  const app = await createApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    database,
    clock,
    async close() {
      await app.close();
      await ctx.jobs.stop();
      await database.close();
    },
  };
}
