import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { createExpert } from '../../test/factories.ts';
import type { AppContext } from '../context.ts';
import { runJob } from '../jobs/runner.ts';
import { cleanupMediaJob } from '../jobs/wrappers.ts';
import { cleanupMedia } from './cleanup.ts';
import { CLEANUP_LOCK_KEY, CleanupBusyError } from './cleanup-lock.ts';
import { attachmentKey, audioKey, profilePictureKey } from './keys.ts';
import { restoreRun } from './restore.ts';
import { createQuestion, mediaTestApp, multipart, webm } from './test-helpers.ts';

const HOUR = 3_600_000;
const rel = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(() => t.close());
beforeEach(async () => {
  // Local files carry real mtimes: the clock starts at the real time so ages line up.
  t.clock.now = new Date(Math.max(Date.now(), t.clock.now.getTime()));
  // Each test judges its own objects: earlier tests' leftovers are quarantined or purged here.
  await cleanupMedia(t.ctx, { apply: true, force: true, resume: false });
  t.clock.advance(8 * 24 * HOUR);
  await cleanupMedia(t.ctx, { apply: true, force: true, resume: false });
  t.clock.now = new Date(Math.max(Date.now(), t.clock.now.getTime()));
});

/** Sets a stored object's modification time (the cleanup's age guard reads it). */
function age(ctx: AppContext, key: string, at: Date) {
  utimesSync(join(ctx.config.dataDir, 'storage', ...key.split('/')), at, at);
}

async function uploadAudio() {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/media/upload-audio',
    headers: { 'content-type': 'audio/webm' },
    payload: webm(30),
  });
  return res.json().data as { uid: string; playbackUrl: string };
}

async function uploadVideo() {
  const res = await t.app.inject({ method: 'POST', url: '/api/media/get-upload-url', payload: {} });
  const { uploadURL, uid } = res.json().data;
  await t.app.inject({ method: 'POST', url: rel(uploadURL), ...multipart('file', 'r.webm', 'video/webm', webm(40)) });
  return uid as string;
}

async function registerRecording(segments: string[]) {
  const metadata = JSON.stringify({
    type: 'multi-segment',
    mime_type: 'video/webm',
    segment_count: segments.length,
    segments: segments.map((uid, i) => ({
      uid,
      playback_url: null,
      duration: 1,
      mode: uid.startsWith('audio/') ? 'audio' : 'video',
      segment_index: i,
    })),
  });
  const res = await t.app.inject({
    method: 'POST',
    url: '/media_asset',
    payload: { provider: 'cloudflare_stream', asset_id: segments[0], status: 'ready', metadata },
  });
  expect(res.statusCode).toBe(200);
  return res.json().id as number;
}

describe('cleanupMedia', () => {
  it('cleans an abandoned upload after the grace period and never before', async () => {
    const a = await uploadAudio();
    const start = t.clock.now;
    for (const hours of [1, 12, 23.9]) {
      t.clock.now = new Date(start.getTime() + hours * HOUR);
      const r = await cleanupMedia(t.ctx, { apply: true });
      expect(r.counts.deleted, `after ${hours} h`).toBe(0);
      expect(await t.ctx.storage.head(a.uid)).not.toBeNull();
    }
    t.clock.now = new Date(start.getTime() + 25 * HOUR);
    const dry = await cleanupMedia(t.ctx);
    expect(dry.mode).toBe('dry_run');
    expect(dry.keys.candidates).toContain(a.uid);
    expect(await t.ctx.storage.head(a.uid)).not.toBeNull();
    const r = await cleanupMedia(t.ctx, { apply: true });
    expect(r.counts.deleted).toBe(1);
    expect(r.bytes.deleted).toBe(34);
    expect(await t.ctx.storage.head(a.uid)).toBeNull();
    expect(await t.ctx.storage.head(`quarantine/${r.runId}/${a.uid}`)).not.toBeNull();
    const log = await t.ctx.db.selectFrom('media_deletion_log').selectAll().where('run_id', '=', r.runId).execute();
    expect(log).toMatchObject([{ object_key: a.uid, state: 'quarantined', reason: 'orphan_audio' }]);
    const session = await t.ctx.db.selectFrom('upload_session').select('status').where('object_key', '=', a.uid).executeTakeFirstOrThrow();
    expect(session.status).toBe('cleaned');
  });

  it('never deletes any segment of a referenced recording; deletes every segment of an abandoned one', async () => {
    const { profile } = await createExpert(t.ctx.db);
    const live = [await uploadVideo(), (await uploadAudio()).uid, await uploadVideo()];
    const dead = [await uploadVideo(), (await uploadAudio()).uid];
    const liveId = await registerRecording(live);
    const deadId = await registerRecording(dead);
    await createQuestion(t.ctx.db, profile.id, { mediaAssetId: liveId });
    t.clock.advance(30 * 24 * HOUR);
    const r = await cleanupMedia(t.ctx, { apply: true });
    expect(await t.ctx.db.selectFrom('media_asset').select('id').where('id', '=', liveId).executeTakeFirst()).toBeDefined();
    expect(await t.ctx.video.status(live[0] as string)).not.toBeNull();
    expect(await t.ctx.storage.head(live[1] as string)).not.toBeNull();
    expect(await t.ctx.video.status(live[2] as string)).not.toBeNull();
    expect(await t.ctx.db.selectFrom('media_asset').select('id').where('id', '=', deadId).executeTakeFirst()).toBeUndefined();
    expect(await t.ctx.storage.head(dead[1] as string)).toBeNull();
    const log = await t.ctx.db.selectFrom('media_deletion_log').selectAll().where('run_id', '=', r.runId).execute();
    expect(log.map((l) => l.object_key).sort()).toEqual([...dead].sort());

    // Restore puts the row (same id) and its files back.
    const restored = await restoreRun(t.ctx, r.runId);
    expect(restored).toMatchObject({ restoredRows: 1, restoredObjects: 2 });
    expect(await t.ctx.storage.head(dead[1] as string)).not.toBeNull();
    const objects = await t.ctx.db.selectFrom('media_asset_object').select('object_key').where('media_asset_id', '=', deadId).execute();
    expect(objects.map((o) => o.object_key).sort()).toEqual([...dead].sort());
  });

  it('purges the quarantine after 7 days, videos included', async () => {
    const v = await uploadVideo();
    t.clock.advance(25 * HOUR);
    const r = await cleanupMedia(t.ctx, { apply: true });
    expect(r.counts.deleted).toBe(1);
    // During the quarantine the video stays at the host (only restore could bring its row back).
    expect(await t.ctx.video.status(v)).not.toBeNull();
    t.clock.advance(8 * 24 * HOUR);
    const later = await cleanupMedia(t.ctx, { apply: true });
    expect(later.counts.purged).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.video.status(v)).toBeNull();
    expect((await restoreRun(t.ctx, r.runId))?.notRestorable).toBe(1);
  });

  it('trips the circuit breaker above max(1 %, floor) unless forced, and honours --limit', async () => {
    const keys = [];
    for (let i = 0; i < 12; i++) keys.push((await uploadAudio()).uid);
    t.clock.advance(25 * HOUR);
    const refused = await cleanupMedia(t.ctx, { apply: true, breakerFloor: 10 });
    expect(refused.status).toBe('refused_breaker');
    expect(refused.breaker).toMatchObject({ threshold: 10, planned: 12, tripped: true });
    for (const k of keys) expect(await t.ctx.storage.head(k)).not.toBeNull();
    const limited = await cleanupMedia(t.ctx, { apply: true, breakerFloor: 10, limit: 5 });
    expect(limited.status).toBe('completed');
    expect(limited.counts.deleted).toBe(5);
    const forced = await cleanupMedia(t.ctx, { apply: true, breakerFloor: 5, force: true });
    expect(forced.breaker.forced).toBe(true);
    expect(forced.counts.deleted).toBe(7);
    for (const k of keys) expect(await t.ctx.storage.head(k)).toBeNull();
  });

  it('resumes a run killed between commit and file delete, ending in the same state', async () => {
    const keys = [(await uploadAudio()).uid, (await uploadAudio()).uid, (await uploadAudio()).uid];
    t.clock.advance(25 * HOUR);
    let deletes = 0;
    const crashing = {
      ...t.ctx,
      storage: {
        ...t.ctx.storage,
        delete: async (key: string) => {
          if (++deletes === 2) throw new Error('killed');
          return t.ctx.storage.delete(key);
        },
      },
    };
    await expect(cleanupMedia(crashing, { apply: true })).rejects.toThrow('killed');
    const resumed = await cleanupMedia(t.ctx, { apply: true });
    expect(resumed.resumed).toBe(true);
    expect(resumed.counts.deleted).toBe(3);
    for (const k of keys) expect(await t.ctx.storage.head(k)).toBeNull();
    const log = await t.ctx.db.selectFrom('media_deletion_log').select('state').where('run_id', '=', resumed.runId).execute();
    expect(log.map((l) => l.state)).toEqual(['quarantined', 'quarantined', 'quarantined']);
  });

  it('lets one apply run at a time (the next is refused at once, a dry run still reports) and the cron job skip', async () => {
    const keys = [(await uploadAudio()).uid, (await uploadAudio()).uid];
    t.clock.advance(25 * HOUR);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered = () => {};
    const deleting = new Promise<void>((r) => {
      entered = r;
    });
    const slow = {
      ...t.ctx,
      storage: {
        ...t.ctx.storage,
        delete: async (key: string) => {
          entered();
          await held;
          return t.ctx.storage.delete(key);
        },
      },
    };
    const first = cleanupMedia(slow, { apply: true });
    await deleting;
    await expect(cleanupMedia(t.ctx, { apply: true })).rejects.toBeInstanceOf(CleanupBusyError);
    expect(await runJob(t.ctx, cleanupMediaJob, { trigger: 'cli' })).toMatchObject({ items: 0, failed: 0, status: 'busy' });
    const dry = await cleanupMedia(t.ctx, {});
    expect(dry.mode).toBe('dry_run');
    release();
    expect((await first).counts.deleted).toBe(2);
    for (const k of keys) expect(await t.ctx.storage.head(k)).toBeNull();
    // The lock is free again: the next apply runs (and finds nothing left).
    expect((await cleanupMedia(t.ctx, { apply: true })).status).toBe('completed');
  });

  // PGlite has one connection in one process: a dead holder there is a dead server. Only on PostgreSQL
  // can another session hold the lock and die.
  it.runIf(isPostgres())('on PostgreSQL: a holder in another session blocks applies until its connection dies', async () => {
    const other = new pg.Client({ connectionString: t.ctx.database.connectionString ?? '' });
    await other.connect();
    await other.query('SELECT pg_advisory_lock($1)', [CLEANUP_LOCK_KEY]);
    await expect(cleanupMedia(t.ctx, { apply: true })).rejects.toBeInstanceOf(CleanupBusyError);
    await other.end(); // the holder's process is gone: the server frees its session lock
    expect((await cleanupMedia(t.ctx, { apply: true })).status).toBe('completed');
  });

  it('resumes an interrupted run (abort signal) without redoing what it did', async () => {
    for (let i = 0; i < 4; i++) await uploadAudio();
    t.clock.advance(25 * HOUR);
    const controller = new AbortController();
    let n = 0;
    const watching = {
      ...t.ctx,
      storage: {
        ...t.ctx.storage,
        delete: async (key: string) => {
          await t.ctx.storage.delete(key);
          if (++n === 2) controller.abort();
        },
      },
    };
    const first = await cleanupMedia(watching, { apply: true, signal: controller.signal });
    expect(first.status).toBe('interrupted');
    expect(first.counts.deleted).toBe(2);
    const second = await cleanupMedia(t.ctx, { apply: true });
    expect(second).toMatchObject({ runId: first.runId, resumed: true, status: 'completed' });
    expect(second.counts.deleted).toBe(4);
  });

  it('deletes old magic-link tokens only', async () => {
    const now = t.clock.now.getTime();
    const d = 24 * HOUR;
    const mk = (token: string, created: number, expires: number, used: number | null) =>
      t.ctx.db
        .insertInto('magic_link_token')
        .values({
          email: 'a@example.test',
          token,
          expires_at: new Date(expires),
          created_at: new Date(created),
          used: used !== null,
          used_at: used === null ? null : new Date(used),
        })
        .execute();
    await mk('expired-8d', now - 8 * d - 900_000, now - 8 * d, null);
    await mk('expired-6d', now - 6 * d - 900_000, now - 6 * d, now - 6 * d - 100);
    await mk('used-31d', now - 31 * d, now + d, now - 31 * d);
    await mk('fresh', now - 1000, now + 900_000, null);
    const dry = await cleanupMedia(t.ctx);
    expect(dry.counts.magicLinkTokens).toBe(2);
    await cleanupMedia(t.ctx, { apply: true });
    const left = await t.ctx.db.selectFrom('magic_link_token').select('token').orderBy('token').execute();
    expect(left.map((r) => r.token)).toEqual(['expired-6d', 'fresh']);
  });
});

describe('bucket sweep: every combination of layout, age and claim', () => {
  it('deletes exactly the well-formed, old, unclaimed objects and reports unknown keys', async () => {
    const { profile } = await createExpert(t.ctx.db);
    const now = t.clock.now;
    const old = new Date(now.getTime() - 48 * HOUR);
    const claims = ['none', 'asset_object', 'asset_metadata', 'avatar', 'question_attachment', 'open_session', 'expired_session'] as const;
    const kinds = ['audio', 'attachment', 'profile'] as const;
    const expected = new Map<string, boolean>();
    const unknownKeys: string[] = [];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const kind of kinds) {
      for (const claim of claims) {
        for (const isOld of [true, false]) {
          const at = isOld ? old : now;
          const key =
            kind === 'audio'
              ? audioKey(at, 'webm')
              : kind === 'attachment'
                ? attachmentKey(at, `f${Math.floor(rnd() * 1e6)}.pdf`)
                : profilePictureKey(at, 'png');
          await t.ctx.storage.put(key, Buffer.from('x'.repeat(10)), { contentType: 'application/octet-stream' });
          age(t.ctx, key, at);
          const url = `${t.ctx.config.publicUrl}/api/media/object/${key}`;
          switch (claim) {
            case 'asset_object': {
              const a = await t.ctx.db
                .insertInto('media_asset')
                .values({ provider: 'cloudflare_r2', asset_id: `other-${key}`, status: 'ready' })
                .returning('id')
                .executeTakeFirstOrThrow();
              await t.ctx.db
                .insertInto('media_asset_object')
                .values({ media_asset_id: a.id, target: 'storage', object_key: key })
                .execute();
              await createQuestion(t.ctx.db, profile.id, { mediaAssetId: a.id });
              break;
            }
            case 'asset_metadata': {
              const a = await t.ctx.db
                .insertInto('media_asset')
                .values({
                  provider: 'cloudflare_stream',
                  asset_id: 'f'.repeat(32),
                  status: 'processing',
                  metadata: JSON.stringify({ segments: [{ uid: key }] }),
                })
                .returning('id')
                .executeTakeFirstOrThrow();
              await createQuestion(t.ctx.db, profile.id, { mediaAssetId: a.id });
              break;
            }
            case 'avatar':
              await t.ctx.db
                .updateTable('expert_profile')
                .set({ avatar_url: url })
                .where('id', '=', (await createExpert(t.ctx.db)).profile.id)
                .execute();
              break;
            case 'question_attachment':
              await createQuestion(t.ctx.db, profile.id, { attachments: [{ name: 'f.pdf', url, size: 10, type: 'application/pdf' }] });
              break;
            case 'open_session':
            case 'expired_session':
              await t.ctx.db
                .insertInto('upload_session')
                .values({
                  kind: 'attachment',
                  target: 'storage',
                  object_key: key,
                  status: 'uploaded',
                  created_at: new Date(now.getTime() - 72 * HOUR),
                  expires_at: claim === 'open_session' ? new Date(now.getTime() + HOUR) : new Date(now.getTime() - 60 * HOUR),
                })
                .execute();
              break;
          }
          expected.set(key, isOld && (claim === 'none' || claim === 'expired_session'));
        }
      }
    }
    for (const bad of [
      'audio/legacy-name.webm',
      'attachments/no-stamp.pdf',
      'profiles/../x.png'.replace('../', ''),
      'audio/1700000000000-short.webm',
    ]) {
      await t.ctx.storage.put(bad, Buffer.from('x'), { contentType: 'application/octet-stream' });
      age(t.ctx, bad, old);
      unknownKeys.push(bad);
    }
    const r = await cleanupMedia(t.ctx, { apply: true });
    expect(r.keys.unknown.sort()).toEqual(unknownKeys.sort());
    for (const [key, shouldDelete] of expected) {
      expect((await t.ctx.storage.head(key)) === null, `${key} deleted=${shouldDelete}`).toBe(shouldDelete);
    }
    for (const k of unknownKeys) expect(await t.ctx.storage.head(k)).not.toBeNull();
    expect(r.counts.deleted).toBe([...expected.values()].filter(Boolean).length);
  });
});
