/**
 * Account erasure benchmark: the synchronous part of DELETE /me/delete-account (the one
 * transaction: locks, audit, e-mails, payment pseudonyms, tombstones, outbox rows, deletes) for an
 * expert with N questions, N answers, their recordings and attachments, campaigns, visits and
 * e-mails — against a bare cascading DELETE of the same graph (user → cascade, then the media
 * rows) measured in the same run. Target: under 2 s for N = 1,000.
 * Usage: npm run bench:erasure [-- --questions 1000] [--runs 3] [--pg postgres://…] [--only pglite|postgres]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { eraseAccountTx } from '../src/account/erase-account.ts';
import { createContext } from '../src/compose.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, openPglite, openPostgres } from '../src/db/index.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from '../src/migrate/index.ts';
import { hashIdempotencyKey } from '../src/privacy/pseudonym.ts';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    pg: { type: 'string', default: 'postgres://root@127.0.0.1:5432/test' },
    only: { type: 'string' },
  },
});
const N = Number(values.questions);
const RUNS = Number(values.runs);

async function scratch(pgUrl: string | null): Promise<{ d: Database; close(): Promise<void> }> {
  if (!pgUrl) {
    const d = await openPglite(undefined);
    return { d, close: () => d.close() };
  }
  const name = `qc_bench_erasure_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres(pgUrl, 1);
  await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const d = openPostgres(url.toString(), 2);
  return {
    d,
    async close() {
      await d.close();
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
      await admin.close();
    },
  };
}

/** One expert with N questions (each with a recording and an attachment), N answers and the rest. */
async function seedExpert(d: Database, publicUrl: string): Promise<{ userId: number; mediaIds: number[] }> {
  const db = d.db;
  const tag = randomBytes(6).toString('hex');
  const user = await db
    .insertInto('user')
    .values({ email: `expert-${tag}@bench.test`, name: 'Bench Expert', auth_provider: 'magic_link', last_login_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const profile = await db
    .insertInto('expert_profile')
    .values({ user_id: user.id, handle: `b${tag}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const q = (s: string) => sql.raw(s).execute(db);
  await q(`
    WITH m AS (
      INSERT INTO media_asset (provider, asset_id, status, created_at)
      SELECT 'cloudflare_r2', 'audio/1772445600000-' || md5('${tag}' || g) || '.webm', 'ready', now() FROM generate_series(1, ${N}) g
      RETURNING id, asset_id),
    o AS (INSERT INTO media_asset_object (media_asset_id, target, object_key) SELECT id, 'storage', asset_id FROM m)
    INSERT INTO question (expert_profile_id, payer_email, payer_first_name, title, text, attachments, price_cents, status,
                          answered_at, media_asset_id, playback_token_hash)
    SELECT ${profile.id}, 'asker' || row_number() OVER () || '@bench.test', 'Ann', 'A question', 'Details',
           jsonb_build_array(jsonb_build_object('name', 'f.pdf', 'url',
             '${publicUrl}/api/media/object/attachments/1772445600000-' || md5(m.asset_id) || '/f.pdf')),
           5000, 'closed', now(), m.id, md5('t' || m.asset_id)
    FROM m`);
  await q(`
    INSERT INTO answer (question_id, user_id, text_response, attachments, sent_at)
    SELECT id, ${user.id}, 'An answer', jsonb_build_array(jsonb_build_object('name', 'a.pdf', 'url',
             '${publicUrl}/api/media/object/attachments/1772445600001-' || md5('a' || id) || '/a.pdf')), now()
    FROM question WHERE expert_profile_id = ${profile.id}`);
  await q(`
    INSERT INTO payment (question_id, stripe_payment_intent_id, amount_cents, status, captured_at)
    SELECT id, 'pi_bench_' || md5('${tag}' || id), 5000, 'captured', now() FROM question WHERE expert_profile_id = ${profile.id}`);
  await q(`
    WITH c AS (
      INSERT INTO utm_campaign (expert_profile_id, name, utm_source, utm_campaign)
      SELECT ${profile.id}, 'Campaign ' || g, 'newsletter', 'c' || g FROM generate_series(1, 5) g RETURNING id)
    INSERT INTO campaign_visit (campaign_id, expert_profile_id, visitor_ip_hash, user_agent, question_id)
    SELECT (SELECT min(id) FROM c) + (g % 5), ${profile.id}, md5(g::text), 'Mozilla/5.0',
           CASE WHEN g <= ${Math.floor(N / 2)} THEN (SELECT id FROM question WHERE expert_profile_id = ${profile.id} ORDER BY id OFFSET g - 1 LIMIT 1) END
    FROM generate_series(1, ${2 * N}) g`);
  await q(`
    INSERT INTO email_outbox (template, to_address, subject, text_body, html_body, dedupe_key, status)
    SELECT 'new-question', 'expert-${tag}@bench.test', 'New paid question', 'text', 'html', 'question-new:' || id, 'sent'
    FROM question WHERE expert_profile_id = ${profile.id}`);
  const media = await db.selectFrom('question').select('media_asset_id').where('expert_profile_id', '=', profile.id).execute();
  return { userId: user.id, mediaIds: media.map((m) => m.media_asset_id as number) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

async function run(kind: 'pglite' | 'postgres', pgUrl: string | null) {
  const s = await scratch(pgUrl);
  try {
    await migrateUp(s.d.db, loadMigrations(MIGRATIONS_DIR));
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'qc-bench-')),
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-000',
      LOG_LEVEL: 'silent',
      ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
    });
    const ctx = createContext(config, s.d, pino({ level: 'silent' }));
    await ctx.jobs.start();
    const bare: number[] = [];
    const erasure: number[] = [];
    let counts: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const a = await seedExpert(s.d, config.publicUrl);
      const b = await seedExpert(s.d, config.publicUrl);
      let t0 = performance.now();
      await s.d.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('user').where('id', '=', a.userId).execute();
        await trx.deleteFrom('media_asset').where('id', 'in', a.mediaIds).execute();
      });
      bare.push(performance.now() - t0);
      t0 = performance.now();
      const r = await s.d.db
        .transaction()
        .execute((trx) => eraseAccountTx(ctx, trx, { userId: b.userId, keyHash: hashIdempotencyKey(`bench-${i}`), now: new Date() }));
      erasure.push(performance.now() - t0);
      counts = r?.counts ?? {};
    }
    const e = median(erasure);
    const base = median(bare);
    await ctx.jobs.stop();
    console.log(`${kind}: expert with ${fmt(N)} questions, ${fmt(counts.answer ?? 0)} answers, ${fmt(counts.media_asset ?? 0)} recordings`);
    console.log(`  bare cascading DELETE (baseline)  ${fmt(base)} ms (median of ${RUNS})`);
    console.log(
      `  erasure transaction               ${fmt(e)} ms (median of ${RUNS}) = ${(e / base).toFixed(1)}× the baseline; target < 2,000 ms: ${e < 2000 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  it also wrote ${fmt(counts.file_deletion_outbox ?? 0)} outbox rows, pseudonymised ${fmt(counts.payment_pseudonymised ?? 0)} payments, queued ${fmt(counts.askers_notified ?? 0)} asker notices`,
    );
  } finally {
    await s.close();
  }
}

if (values.only !== 'postgres') await run('pglite', null);
if (values.only !== 'pglite') {
  try {
    await run('postgres', values.pg ?? null);
  } catch (err) {
    console.log(`postgres: skipped (${(err as Error).message})`);
  }
}
