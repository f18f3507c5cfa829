/**
 * HTTP throughput of our routes against a bare Fastify route measured in the same run, over real
 * loopback connections (autocannon). Prints requests/s and the ratio to the baseline; asserts
 * nothing. `npm run bench:http` (PGlite in memory) or with BENCH_DATABASE_URL for PostgreSQL.
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { signSession } from '../src/auth/jwt.ts';
import { createContext } from '../src/compose.ts';
import { loadConfig } from '../src/config.ts';
import { openPglite, openPostgres } from '../src/db/index.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from '../src/migrate/index.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;

async function measure(url: string, headers: Record<string, string> = {}): Promise<number> {
  // Each request from its own client address (TRUST_PROXY): we measure the route, not its per-IP limit.
  let n = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}` },
        }),
      },
    ],
  });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

const bare = Fastify();
bare.get('/ping', async () => ({ status: 'ok' }));
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

const dbUrl = process.env.BENCH_DATABASE_URL;
const database = dbUrl ? openPostgres(dbUrl) : await openPglite(undefined);
await migrateUp(database.db, loadMigrations(MIGRATIONS_DIR));
const config = loadConfig({
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  DATA_DIR: '/tmp/qc-bench',
  LOG_LEVEL: 'silent',
  WORKERS: 'false',
  TRUST_PROXY: 'true',
});
const ctx = createContext(config, database, pino({ level: 'silent' }));
await ctx.jobs.start();
const app = await createApp(ctx);
const url = await app.listen({ port: 0, host: '127.0.0.1' });

// One expert with 500 questions: the inbox the legacy client reads on every dashboard load.
const handle = `bench${Date.now().toString(36)}`;
const user = await ctx.db
  .insertInto('user')
  .values({ email: `${handle}@bench.test`, name: 'Bench', auth_provider: 'magic_link' })
  .returningAll()
  .executeTakeFirstOrThrow();
const profile = await ctx.db
  .insertInto('expert_profile')
  .values({ user_id: user.id, handle, public: true })
  .returning('id')
  .executeTakeFirstOrThrow();
const now = Date.now();
await ctx.db
  .insertInto('question')
  .values(
    Array.from({ length: 500 }, (_, i) => ({
      expert_profile_id: profile.id,
      payer_email: `asker${i}@bench.test`,
      title: `Question ${i}`,
      price_cents: 5000,
      status: 'paid' as const,
      sla_hours_snapshot: 24,
      sla_deadline: new Date(now + (i % 48) * 3_600_000),
      created_at: new Date(now - i * 60_000),
    })),
  )
  .execute();
const token = await signSession(config.jwtSecret, { userId: user.id, tokenVersion: 0 }, new Date());
const auth = { authorization: `Bearer ${token}` };

const baseline = await measure(`${bareUrl}/ping`);
const rows: [string, number][] = [
  ['GET /health (SELECT 1)', await measure(`${url}/health`)],
  ['GET /public/profile', await measure(`${url}/api:BQW1GS7L/public/profile?handle=${handle}`)],
  ['GET /me/profile (auth)', await measure(`${url}/api:3B14WLbJ/me/profile`, auth)],
  ['GET /me/questions?per_page=10', await measure(`${url}/me/questions?filter_type=pending&per_page=10`, auth)],
  ['GET /me/questions?per_page=1000', await measure(`${url}/me/questions?filter_type=all&per_page=1000`, auth)],
];

console.log(
  `\nHTTP throughput on ${database.kind}, ${CONNECTIONS} connections, ${DURATION} s each (ratios vs a bare Fastify route, same run)`,
);
console.log(`${'route'.padEnd(34)} ${'req/s'.padStart(9)}  ratio`);
console.log(`${'bare Fastify GET /ping (baseline)'.padEnd(34)} ${baseline.toFixed(0).padStart(9)}  1.000`);
for (const [name, rps] of rows) console.log(`${name.padEnd(34)} ${rps.toFixed(0).padStart(9)}  ${(rps / baseline).toFixed(3)}`);

await app.close();
await ctx.jobs.stop();
await bare.close();
await database.close();
