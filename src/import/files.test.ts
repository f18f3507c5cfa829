import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamUid } from '../../scripts/xano-fixture.ts';
import { stubFileBytes, type XanoStub } from '../../scripts/xano-stub.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { classifyFileUrl, copyFiles, syncFiles } from './files.ts';
import { digest, importFrom, sourceFor, stub } from './test-helpers.ts';
import { verifyImport } from './verify.ts';

// The stub serves the fixture's Stream/R2 files on its own port under their real host names:
// the SSRF guard resolves those names to the stub (test-only overrides of safeFetch).
const toStub = { resolve: async () => [{ address: '127.0.0.1', family: 4 }], allowAddress: () => true };
const missingVideo = `/${streamUid('vid1')}/downloads/default.mp4`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('import xano: the legacy files (external, --copy-files)', { timeout: 120_000 }, () => {
  let t: TestApp;
  let s: XanoStub;
  const missing = [missingVideo];
  beforeAll(async () => {
    t = await createTestApp();
    s = await stub({ serveFiles: true, missingFiles: missing });
    await importFrom(t.ctx.db, s);
  });
  afterAll(async () => {
    await s.close();
    await t.close();
  });

  const source = () => `xano:${s.url}/1`;
  const file = (url: string) => t.ctx.db.selectFrom('import_file').selectAll().where('source_url', '=', url).executeTakeFirstOrThrow();

  it('classifies provider URLs: Stream uid, R2 key (bucket stripped on the API host), listed hosts only', () => {
    const uid = streamUid('x');
    expect(classifyFileUrl(`https://customer-a.cloudflarestream.com/${uid}/manifest/video.m3u8`, [])).toEqual({
      kind: 'video',
      key: uid,
      fetchUrl: `https://customer-a.cloudflarestream.com/${uid}/downloads/default.mp4`,
    });
    expect(classifyFileUrl('https://pub-1.r2.dev/audio/1-a.webm', [])?.key).toBe('audio/1-a.webm');
    expect(classifyFileUrl('https://acct.r2.cloudflarestorage.com/bucket/profiles/p%20q.jpg', [])?.key).toBe('profiles/p q.jpg');
    expect(classifyFileUrl('https://files.example.com/a/b.pdf', [])).toBeNull();
    expect(classifyFileUrl('https://files.example.com/a/b.pdf', ['*.example.com'])?.key).toBe('imported/files.example.com/a/b.pdf');
    expect(classifyFileUrl('https://customer-a.cloudflarestream.com/not-a-uid/manifest', [])).toBeNull();
    expect(classifyFileUrl('ftp://pub-1.r2.dev/x', [])).toBeNull();
  });

  it('without --copy-files every file is recorded as external and the rows keep the provider URLs', async () => {
    const before = await digest(t.ctx.db);
    const r = await syncFiles(t.ctx, { source: source(), copy: false, extraHosts: [] });
    const { rows } = await sql<{ n: number }>`SELECT count(DISTINCT url)::int AS n FROM media_asset WHERE url IS NOT NULL`.execute(
      t.ctx.db,
    );
    expect(r.files).toBeGreaterThan(rows[0]?.n ?? 0); // recordings, segments, attachments and avatars
    expect(r).toMatchObject({ external: r.files, copied: 0, failed: 0, copiedNow: 0 });
    expect(s.requests.files).toBe(0);
    expect(await digest(t.ctx.db)).toEqual(before);
    // a second pass records nothing twice
    expect((await syncFiles(t.ctx, { source: source(), copy: false, extraHosts: [] })).references).toBe(r.references);
  });

  it('copies every file into our storage, checksummed, rewrites the rows, and reports the one it cannot fetch with its owner', async () => {
    const r = await syncFiles(t.ctx, { source: source(), copy: true, extraHosts: [], concurrency: 3, fetch: toStub });
    expect(r.failed).toBe(1);
    expect(r.copied).toBe(r.files - 1);
    expect(r.copiedNow).toBe(r.files - 1);
    expect(r.failures).toEqual([
      { url: expect.stringContaining(streamUid('vid1')), owners: ['media_asset 1'], error: expect.stringContaining('HTTP 404') },
    ]);
    const issue = await t.ctx.db.selectFrom('import_issue').selectAll().where('kind', '=', 'file_not_fetched').execute();
    expect(issue.map((i) => [i.table_name, i.legacy_id])).toEqual([['media_asset', '1']]);

    // an R2 audio recording: same key in our storage, same bytes, row pointing at our URL
    const audio = await t.ctx.db
      .selectFrom('media_asset')
      .selectAll()
      .where('provider', '=', 'cloudflare_r2')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const stored = await t.ctx.storage.get(audio.asset_id);
    const chunks: Buffer[] = [];
    for await (const c of stored?.body ?? []) chunks.push(c as Buffer);
    const expected = stubFileBytes(`/${audio.asset_id}`);
    expect(Buffer.concat(chunks)).toEqual(expected);
    expect(audio.url).toMatch(/\/api\/media\/object\/audio\//);
    const served = await t.app.inject({ method: 'GET', url: new URL(audio.url ?? '').pathname });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload).toEqual(expected);
    const audioFile = await t.ctx.db
      .selectFrom('import_file')
      .selectAll()
      .where('target_key', '=', audio.asset_id)
      .executeTakeFirstOrThrow();
    expect(audioFile).toMatchObject({ status: 'copied', sha256: sha(expected), size: expected.length, target_url: audio.url });

    // a Stream video keeps its uid on our video host and plays from our URL
    const video = await t.ctx.db.selectFrom('media_asset').selectAll().where('id', '=', 3).executeTakeFirstOrThrow();
    expect(video.url).toBe(t.ctx.video.playbackUrl(video.asset_id));
    const play = await t.app.inject({ method: 'GET', url: new URL(video.url ?? '').pathname });
    expect(play.statusCode).toBe(200);
    expect(play.rawPayload).toEqual(stubFileBytes(`/${video.asset_id}/downloads/default.mp4`));

    // URLs inside jsonb (attachments, segments) and avatars are rewritten; the unfetched one is not
    const { rows: left } = await sql<{ t: string }>`
      SELECT concat_ws(' ', q.attachments::text) AS t FROM question q WHERE q.attachments::text LIKE '%r2.dev%'
      UNION ALL SELECT m.metadata::text FROM media_asset m WHERE m.metadata::text LIKE '%cloudflarestream.com%' OR m.metadata::text LIKE '%r2.dev%'
      UNION ALL SELECT avatar_url FROM expert_profile WHERE avatar_url LIKE '%r2.dev%'
      UNION ALL SELECT url FROM media_asset WHERE url LIKE '%cloudflarestream.com%'`.execute(t.ctx.db);
    expect(left).toEqual([{ t: expect.stringContaining(streamUid('vid1')) }]);
  });

  it('a re-import leaves the rewritten rows alone and verify is clean against them', async () => {
    const before = await digest(t.ctx.db);
    const again = await importFrom(t.ctx.db, s);
    expect(again.tables.every((x) => x.inserted === 0 && x.updated === 0)).toBe(true);
    expect(await digest(t.ctx.db)).toEqual(before);
    const v = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25 });
    expect(v.ok).toBe(true);
  });

  it('the next run copies only what is left: the file that failed, once the provider serves it', async () => {
    missing.splice(0);
    const requestsBefore = s.requests.files;
    const r = await syncFiles(t.ctx, { source: source(), copy: true, extraHosts: [], fetch: toStub });
    expect(s.requests.files - requestsBefore).toBe(1);
    expect(r).toMatchObject({ failed: 0, copiedNow: 1, external: 0, failures: [] });
    expect((await t.ctx.db.selectFrom('media_asset').select('url').where('id', '=', 1).executeTakeFirstOrThrow()).url).toBe(
      t.ctx.video.playbackUrl(streamUid('vid1')),
    );
    expect(await t.ctx.db.selectFrom('import_issue').selectAll().where('kind', '=', 'file_not_fetched').execute()).toEqual([]);
  });

  it('refuses a listed host that resolves to a private address (SSRF guard) and records why', async () => {
    await t.ctx.db
      .updateTable('question')
      .set({ attachments: JSON.stringify([{ name: 'x.pdf', url: 'https://files.example.com/x.pdf', size: 1, type: 'application/pdf' }]) })
      .where('id', '=', 2)
      .execute();
    const r = await syncFiles(t.ctx, {
      source: source(),
      copy: true,
      extraHosts: ['files.example.com'],
      fetch: { resolve: async () => [{ address: '10.0.0.7', family: 4 }] },
    });
    expect(r.failures).toEqual([
      { url: 'https://files.example.com/x.pdf', owners: ['question 2'], error: expect.stringContaining('10.0.0.7, which is not public') },
    ]);
    expect((await file('https://files.example.com/x.pdf')).status).toBe('failed');
  });

  it('with a video host that cannot adopt uids, videos are left external and said so', async () => {
    // one video back to external, as if not copied yet
    const { source_url } = await t.ctx.db
      .updateTable('import_file')
      .set({ status: 'external' })
      .where('kind', '=', 'video')
      .where('source_url', 'like', `%${streamUid('vid3')}%`)
      .returning('source_url')
      .executeTakeFirstOrThrow();
    const requestsBefore = s.requests.files;
    const r = await copyFiles(
      { ...t.ctx, video: { ...t.ctx.video, kind: 'cloudflare-stream' } },
      { source: source(), extraHosts: [], fetch: toStub },
    );
    expect(r.notes.join(' ')).toMatch(/videos stay on Cloudflare Stream/);
    expect(r.copied).toBe(0);
    expect(s.requests.files).toBe(requestsBefore);
    expect((await file(source_url)).status).toBe('external');
  });
});
