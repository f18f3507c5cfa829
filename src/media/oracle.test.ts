import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { createExpert } from '../../test/factories.ts';
import { registerMediaAsset } from './asset-service.ts';
import { cleanupMedia } from './cleanup.ts';
import { CleanupBusyError } from './cleanup-lock.ts';
import { parseKey } from './keys.ts';
import { lockMediaAssetForAttach } from './queries.ts';
import { createQuestion, mediaTestApp, webm } from './test-helpers.ts';
import { acceptLocalVideoUpload, requestVideoUpload, uploadAudio } from './upload-service.ts';

const HOUR = 3_600_000;
const OPS = Number(process.env.MEDIA_ORACLE_OPS ?? 10_000);
const WORKERS = 12;

/**
 * The concurrency oracle: uploaders, attachers (with and without the FOR SHARE check), detachers,
 * checkers and cleanup runs interleaved on a moving clock. A checker locks a question row and
 * verifies that every object of the media it references exists: nothing referenced may ever be
 * missing. At the end, every deletion is checked against the grace period and open uploads.
 * Only meaningful on PostgreSQL: PGlite has one connection, so nothing would interleave.
 */
describe('media cleanup under concurrency (oracle)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await mediaTestApp();
    t.clock.now = new Date();
  });
  afterAll(() => t?.close());

  it.runIf(isPostgres())(
    `never deletes referenced or in-flight media over ${OPS} interleaved operations`,
    { timeout: 900_000 },
    async () => {
      const ctx = t.ctx;
      const { profile } = await createExpert(ctx.db);
      const questions: number[] = [];
      for (let i = 0; i < 40; i++) questions.push((await createQuestion(ctx.db, profile.id)).id);
      const assets: number[] = [];
      const who = { userId: null, ipHash: 'oracle' };
      const violations: string[] = [];
      const counts: Record<string, number> = {};
      let done = 0;
      let seed = 42;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)] as T;
      let cleanupsRunning = 0;

      const ops: [number, string, () => Promise<void>][] = [
        [
          20,
          'upload_register',
          async () => {
            const segs: string[] = [];
            const n = 1 + Math.floor(rnd() * 3);
            for (let i = 0; i < n; i++) {
              if (rnd() < 0.5) segs.push((await uploadAudio(ctx, who, 'audio/webm', webm(16))).uid);
              else {
                const up = await requestVideoUpload(ctx, who, 90);
                await acceptLocalVideoUpload(ctx, up.uid, webm(24));
                segs.push(up.uid);
              }
            }
            const metadata = { type: 'multi-segment', segments: segs.map((uid, i) => ({ uid, segment_index: i, mode: 'video' })) };
            // The clock moves under the uploader: past the registration window the refusal is correct.
            const a = await registerMediaAsset(ctx, null, {
              provider: 'cloudflare_stream',
              asset_id: segs[0] as string,
              status: 'ready',
              metadata,
            }).catch((err: { status?: number }) => {
              if (err.status !== 422) throw err;
              counts.register_refused = (counts.register_refused ?? 0) + 1;
              return null;
            });
            if (a) assets.push(a.id);
          },
        ],
        [8, 'upload_abandon', async () => void (await uploadAudio(ctx, who, 'audio/webm', webm(8)))],
        [
          20,
          'attach',
          async () => {
            if (!assets.length) return;
            const id = pick(assets);
            const q = pick(questions);
            await ctx.db.transaction().execute(async (trx) => {
              const row = await lockMediaAssetForAttach(trx, id);
              if (!row) return;
              await trx.updateTable('question').set({ media_asset_id: id }).where('id', '=', q).execute();
            });
          },
        ],
        [
          10,
          'attach_raw',
          async () => {
            if (!assets.length) return;
            // No status check at all: only the foreign key (and the cleanup's row lock) protect it.
            await ctx.db
              .updateTable('question')
              .set({ media_asset_id: pick(assets) })
              .where('id', '=', pick(questions))
              .execute()
              .catch((err: { code?: string }) => {
                if (err.code !== '23503') throw err;
                counts.attach_raw_refused = (counts.attach_raw_refused ?? 0) + 1;
              });
          },
        ],
        [
          12,
          'detach',
          async () => void (await ctx.db.updateTable('question').set({ media_asset_id: null }).where('id', '=', pick(questions)).execute()),
        ],
        [
          25,
          'check',
          async () => {
            await ctx.db.transaction().execute(async (trx) => {
              const q = await trx
                .selectFrom('question')
                .select(['id', 'media_asset_id'])
                .where('id', '=', pick(questions))
                .forShare()
                .executeTakeFirstOrThrow();
              if (!q.media_asset_id) return;
              const objects = await trx
                .selectFrom('media_asset_object')
                .selectAll()
                .where('media_asset_id', '=', q.media_asset_id)
                .execute();
              if (!objects.length) violations.push(`question ${q.id} references media ${q.media_asset_id} with no objects`);
              for (const o of objects) {
                const there = o.target === 'storage' ? await ctx.storage.head(o.object_key) : await ctx.video.status(o.object_key);
                if (!there) violations.push(`question ${q.id} references media ${q.media_asset_id} but ${o.object_key} is gone`);
              }
            });
          },
        ],
        [4, 'advance_clock', async () => t.clock.advance(Math.floor((1 + rnd() * 3) * HOUR))],
        [
          1,
          'cleanup',
          async () => {
            if (cleanupsRunning >= 3) return;
            cleanupsRunning++;
            try {
              const r = await cleanupMedia(ctx, { apply: true, force: true, resume: rnd() < 0.5, batchSize: 100 });
              counts.deleted = (counts.deleted ?? 0) + r.counts.deleted;
              counts.item_errors = (counts.item_errors ?? 0) + r.counts.errors;
            } catch (err) {
              // Applies are serialised (cleanup-lock.ts): one started while another runs is refused at once.
              if (!(err instanceof CleanupBusyError)) throw err;
              counts.cleanup_busy = (counts.cleanup_busy ?? 0) + 1;
            } finally {
              cleanupsRunning--;
            }
          },
        ],
      ];
      const total = ops.reduce((n, [w]) => n + w, 0);
      const choose = () => {
        let x = rnd() * total;
        for (const op of ops) {
          x -= op[0];
          if (x < 0) return op;
        }
        return ops[0] as (typeof ops)[number];
      };

      const started = Date.now();
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (done < OPS) {
            const [, name, run] = choose();
            done++;
            counts[name] = (counts[name] ?? 0) + 1;
            await run();
          }
        }),
      );
      // A last run after everything settled, then the final audit.
      t.clock.advance(48 * HOUR);
      const last = await cleanupMedia(ctx, { apply: true, force: true });
      counts.deleted = (counts.deleted ?? 0) + last.counts.deleted;

      const referenced = await sql<{
        id: number;
      }>`SELECT DISTINCT media_asset_id AS id FROM question WHERE media_asset_id IS NOT NULL`.execute(ctx.db);
      for (const { id } of referenced.rows) {
        const objects = await ctx.db.selectFrom('media_asset_object').selectAll().where('media_asset_id', '=', id).execute();
        for (const o of objects) {
          const there = o.target === 'storage' ? await ctx.storage.head(o.object_key) : await ctx.video.status(o.object_key);
          if (!there) violations.push(`final: media ${id} is referenced but ${o.object_key} is gone`);
        }
      }
      const log = await ctx.db.selectFrom('media_deletion_log').selectAll().execute();
      const grace = ctx.config.media.cleanupGraceHours * HOUR;
      for (const entry of log) {
        const session = await ctx.db.selectFrom('upload_session').selectAll().where('object_key', '=', entry.object_key).executeTakeFirst();
        if (session && session.expires_at.getTime() > entry.created_at.getTime())
          violations.push(`deleted ${entry.object_key} while its upload was open`);
        const keyTime = parseKey(entry.object_key)?.createdAt.getTime();
        if (keyTime !== undefined && entry.created_at.getTime() - keyTime < grace)
          violations.push(`deleted ${entry.object_key} before the grace period`);
        const row = (entry.asset_row as { row?: { created_at: string } } | null)?.row;
        if (row && entry.created_at.getTime() - Date.parse(row.created_at) < grace)
          violations.push(`deleted media row ${entry.media_asset_id} too young`);
      }
      console.info(
        `media oracle: ${done} operations in ${Date.now() - started} ms`,
        JSON.stringify(counts),
        `${log.length} deletions logged`,
      );
      expect(violations).toEqual([]);
      expect(done).toBeGreaterThanOrEqual(OPS);
      // The run must actually have exercised deletion, not just avoided it.
      expect(counts.deleted ?? 0).toBeGreaterThan(0);
    },
  );
});
