import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { bearer, createExpert, tokenFor } from '../../test/factories.ts';
import { jobsOf } from '../../test/jobs.ts';
import { doneKey } from '../file-deletion/queries.ts';
import { createQuestion, mediaTestApp, multipart, webm, webp } from './test-helpers.ts';

const rel = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

describe('uploads and media assets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await mediaTestApp({ MEDIA_MAX_AUDIO_BYTES: '4096', MEDIA_MAX_IMAGE_BYTES: '2048', MEDIA_MAX_ATTACHMENT_BYTES: '4096' });
  });
  afterAll(() => t.close());

  async function uploadVideo() {
    const res = await t.app.inject({ method: 'POST', url: '/api/media/get-upload-url', payload: { maxDurationSeconds: 90 } });
    expect(res.statusCode).toBe(200);
    const { uploadURL, uid } = res.json().data;
    const up = await t.app.inject({ method: 'POST', url: rel(uploadURL), ...multipart('file', 'rec.webm', 'video/webm', webm(100)) });
    expect(up.statusCode).toBe(200);
    return uid as string;
  }

  async function uploadAudio(body = webm(50)) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/media/upload-audio',
      headers: { 'content-type': 'audio/webm;codecs=opus' },
      payload: body,
    });
    return res;
  }

  it('records an anonymous multi-segment recording, registers it, and plays it back for the expert', async () => {
    const v = await uploadVideo();
    const a = await uploadAudio();
    expect(a.statusCode).toBe(200);
    const audio = a.json().data;
    expect(audio.uid).toMatch(/^audio\/\d{13}-[0-9a-f]{32}\.webm$/);
    const metadata = JSON.stringify({
      type: 'multi-segment',
      mime_type: 'video/webm',
      segment_count: 2,
      segments: [
        { uid: v, playback_url: 'https://evil.example/x', duration: 3, mode: 'video', segment_index: 0 },
        { uid: audio.uid, playback_url: audio.playbackUrl, duration: 2, mode: 'audio', segment_index: 1 },
      ],
    });
    // The legacy client sends no token here; a stale one must not turn into a 401 either.
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api:3B14WLbJ/media_asset',
      headers: { authorization: 'Bearer not-a-valid-token' },
      payload: { provider: 'cloudflare_stream', asset_id: v, duration_sec: 5.4, status: 'ready', url: null, metadata },
    });
    expect(reg.statusCode).toBe(200);
    const asset = reg.json();
    expect(asset).toMatchObject({ id: expect.any(Number), provider: 'cloudflare_stream', asset_id: v, duration_sec: 5, status: 'ready' });
    expect(asset.metadata.segments).toHaveLength(2);
    expect(asset.metadata.segments[0].playback_url).toBe(t.ctx.video.playbackUrl(v));
    const objects = await t.ctx.db
      .selectFrom('media_asset_object')
      .selectAll()
      .where('media_asset_id', '=', asset.id)
      .orderBy('segment_index')
      .execute();
    expect(objects.map((o) => [o.target, o.object_key])).toEqual([
      ['video', v],
      ['storage', audio.uid],
    ]);
    const sessions = await t.ctx.db.selectFrom('upload_session').selectAll().where('media_asset_id', '=', asset.id).execute();
    expect(sessions.map((s) => s.status)).toEqual(['registered', 'registered']);

    // Registering the same uploads again is refused (and never with 401).
    const again = await t.app.inject({
      method: 'POST',
      url: '/media_asset',
      payload: { provider: 'cloudflare_stream', asset_id: v, metadata },
    });
    expect(again.statusCode).toBe(422);

    const { user, profile } = await createExpert(t.ctx.db);
    await createQuestion(t.ctx.db, profile.id, { mediaAssetId: asset.id });
    const token = await tokenFor(t.ctx, user);
    const anon = await t.app.inject({ method: 'GET', url: `/media_asset/${asset.id}` });
    expect(anon.statusCode).toBe(401);
    const got = await t.app.inject({ method: 'GET', url: `/media_asset/${asset.id}`, headers: bearer(token) });
    expect(got.statusCode).toBe(200);
    expect(got.json().metadata.type).toBe('multi-segment');
    const other = await createExpert(t.ctx.db);
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/media_asset/${asset.id}`,
      headers: bearer(await tokenFor(t.ctx, other.user)),
    });
    expect(foreign.statusCode).toBe(404);

    // Review playback: the video by range, the audio segment through its URL and the download proxy.
    const play = await t.app.inject({
      method: 'GET',
      url: rel(got.json().metadata.segments[0].playback_url),
      headers: { range: 'bytes=0-3' },
    });
    expect(play.statusCode).toBe(206);
    expect(play.rawPayload).toEqual(webm(100).subarray(0, 4));
    expect(play.headers['content-range']).toBe('bytes 0-3/104');
    const dl = await t.app.inject({ method: 'GET', url: `/api/media/download-audio?url=${encodeURIComponent(audio.playbackUrl)}` });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toContain('attachment');
    expect(dl.rawPayload.length).toBe(54);
    const vd = await t.app.inject({
      method: 'GET',
      url: `/api/media/download-video?url=${encodeURIComponent(t.ctx.video.downloadUrl(v))}`,
    });
    expect(vd.statusCode).toBe(200);
  });

  it('refuses to register objects that were not uploaded here, or too long ago', async () => {
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/media_asset',
      payload: { provider: 'cloudflare_stream', asset_id: 'a'.repeat(32), status: 'ready' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('media_not_uploaded_here');
    const v = await uploadVideo();
    t.clock.advance(7 * 3_600_000);
    const late = await t.app.inject({
      method: 'POST',
      url: '/media_asset',
      payload: { provider: 'cloudflare_stream', asset_id: v, status: 'ready' },
    });
    expect(late.statusCode).toBe(422);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/media_asset',
      payload: { provider: 'cloudflare_stream', asset_id: v, metadata: '{not json' },
    });
    expect(bad.statusCode).toBe(400);
    const extra = await t.app.inject({
      method: 'POST',
      url: '/media_asset',
      payload: { provider: 'cloudflare_stream', asset_id: v, owner_id: 3 },
    });
    // An X path: the dropped legacy owner_id is ignored, not a validation error; the object is still refused.
    expect([extra.statusCode, extra.json().code]).toEqual([422, expect.not.stringMatching(/^validation_failed$/)]);
  });

  it('checks audio type, signature and size (415, 413)', async () => {
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/media/upload-audio',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect((await uploadAudio(Buffer.from('not webm at all'))).statusCode).toBe(415);
    const big = await uploadAudio(webm(5000));
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('payload_too_large');
  });

  it('checks the WebM magic of base64 video uploads', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/media/upload-video',
      payload: { videoBase64: Buffer.from('GIF89a').toString('base64') },
    });
    expect(bad.statusCode).toBe(415);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/media/upload-video',
      payload: { videoBase64: webm(10).toString('base64'), recordingMode: 'screen', segmentIndex: 1, duration: 4 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toMatchObject({ mode: 'screen', segmentIndex: 1, duration: 4, size: 14, status: 'ready' });
  });

  it('hands out attachment upload URLs; the browser PUTs, the review page downloads by range', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/media/get-attachment-upload-url',
      payload: { filename: '../Ré sumé (final).pdf', contentType: 'application/pdf', size: 10 },
    });
    expect(res.statusCode).toBe(200);
    const { uploadUrl, publicUrl, key } = res.json().data;
    expect(key).toMatch(/^attachments\/\d{13}-[0-9a-f]{32}\/Re_sume_final_\.pdf$/);
    const wrongType = await t.app.inject({
      method: 'PUT',
      url: rel(uploadUrl),
      headers: { 'content-type': 'text/html' },
      payload: '%PDF-1.7\n\n',
    });
    expect(wrongType.statusCode).toBe(415);
    const put = await t.app.inject({
      method: 'PUT',
      url: rel(uploadUrl),
      headers: { 'content-type': 'application/pdf' },
      payload: '%PDF-1.7\n\n',
    });
    expect(put.statusCode).toBe(200);
    const session = await t.ctx.db.selectFrom('upload_session').selectAll().where('object_key', '=', key).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ status: 'uploaded', size_bytes: 10, kind: 'attachment' });
    const replay = await t.app.inject({
      method: 'PUT',
      url: rel(uploadUrl),
      headers: { 'content-type': 'application/pdf' },
      payload: '%PDF-1.7\n\n',
    });
    expect(replay.statusCode).toBe(404);
    const forged = await t.app.inject({
      method: 'PUT',
      url: rel(uploadUrl).replace(/sig=[^&]+/, 'sig=AAAA'),
      headers: { 'content-type': 'application/pdf' },
      payload: '%PDF-1.7\n\n',
    });
    expect(forged.statusCode).toBe(403);
    const part = await t.app.inject({
      method: 'GET',
      url: `/api/media/download-attachment?url=${encodeURIComponent(publicUrl)}`,
      headers: { range: 'bytes=2-4' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.body).toBe('DF-');
    const past = await t.app.inject({ method: 'GET', url: rel(publicUrl), headers: { range: 'bytes=50-' } });
    expect(past.statusCode).toBe(416);

    const tooBig = await t.app.inject({
      method: 'POST',
      url: '/api/media/get-attachment-upload-url',
      payload: { filename: 'a.pdf', contentType: 'application/pdf', size: 10_000 },
    });
    expect(tooBig.statusCode).toBe(413);
    const html = await t.app.inject({
      method: 'POST',
      url: '/api/media/get-attachment-upload-url',
      payload: { filename: 'a.html', contentType: 'text/html', size: 10 },
    });
    expect(html.statusCode).toBe(415);
  });

  it('accepts multipart attachments and profile pictures', async () => {
    const att = await t.app.inject({
      method: 'POST',
      url: '/api/media/upload-attachment',
      ...multipart('file', 'notes.txt', 'text/plain', Buffer.from('hi')),
    });
    expect(att.statusCode).toBe(200);
    expect(att.json().data).toMatchObject({ name: 'notes.txt', type: 'text/plain', size: 2 });
    const pic = await t.app.inject({
      method: 'POST',
      url: '/api/upload/profile-picture',
      ...multipart('image', 'avatar.webp', 'image/webp', webp()),
    });
    expect(pic.statusCode).toBe(200);
    expect(pic.json().url).toMatch(/\/api\/media\/object\/profiles\/\d{13}-[0-9a-f]{32}\.webp$/);
    const proxied = await t.app.inject({ method: 'GET', url: `/api/proxy-image?url=${encodeURIComponent(pic.json().url)}` });
    expect(proxied.statusCode).toBe(200);
    expect(proxied.headers['content-type']).toBe('image/webp');
    const wrongField = await t.app.inject({
      method: 'POST',
      url: '/api/upload/profile-picture',
      ...multipart('file', 'a.webp', 'image/webp', webp()),
    });
    expect(wrongField.statusCode).toBe(400);
    const fake = await t.app.inject({
      method: 'POST',
      url: '/api/upload/profile-picture',
      ...multipart('image', 'a.png', 'image/png', Buffer.from('<svg/>')),
    });
    expect(fake.statusCode).toBe(415);
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/upload/profile-picture',
      ...multipart('image', 'a.webp', 'image/webp', Buffer.concat([webp(), Buffer.alloc(4096)])),
    });
    expect(big.statusCode).toBe(413);
  });

  it('enables downloads only for videos uploaded here', async () => {
    const v = await uploadVideo();
    const ok = await t.app.inject({ method: 'POST', url: '/api/media/enable-downloads', payload: { videoId: v } });
    expect(ok.json()).toEqual({ success: true, downloadsEnabled: true });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/media/enable-downloads', payload: { videoId: 'b'.repeat(32) } });
    expect(unknown.statusCode).toBe(404);
  });

  it('deletes only an unreferenced asset of the caller, with its files', async () => {
    const { user, profile } = await createExpert(t.ctx.db);
    const token = await tokenFor(t.ctx, user);
    const a = (
      await t.app.inject({
        method: 'POST',
        url: '/api/media/upload-audio',
        headers: { 'content-type': 'audio/webm', ...bearer(token) },
        payload: webm(20),
      })
    ).json().data;
    const reg = await t.app.inject({
      method: 'POST',
      url: '/media_asset',
      headers: bearer(token),
      payload: { provider: 'cloudflare_r2', asset_id: a.uid, status: 'ready' },
    });
    expect(reg.statusCode).toBe(200);
    const id = reg.json().id;
    const other = await createExpert(t.ctx.db);
    const foreign = await t.app.inject({ method: 'DELETE', url: `/media_asset/${id}`, headers: bearer(await tokenFor(t.ctx, other.user)) });
    expect(foreign.statusCode).toBe(404);
    const q = await createQuestion(t.ctx.db, profile.id, { mediaAssetId: id });
    const inUse = await t.app.inject({ method: 'DELETE', url: `/media_asset/${id}`, headers: bearer(token) });
    expect(inUse.statusCode).toBe(409);
    await t.ctx.db.updateTable('question').set({ media_asset_id: null }).where('id', '=', q.id).execute();
    const del = await t.app.inject({ method: 'DELETE', url: `/media_asset/${id}`, headers: bearer(token) });
    expect(del.statusCode).toBe(200);
    expect(await t.ctx.db.selectFrom('media_asset').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect(await t.ctx.storage.head(a.uid)).toBeNull();
    // Done: the item keeps only the hash of its key, and its job (a minute later) finds nothing to do.
    const outbox = await t.ctx.db
      .selectFrom('file_deletion_outbox')
      .selectAll()
      .where('object_key', '=', doneKey(a.uid))
      .executeTakeFirstOrThrow();
    expect(outbox.done_at).not.toBeNull();
    expect((await jobsOf(t.ctx, 'file-delete')).filter((j) => (j.data as { itemId: number }).itemId === outbox.id)).toMatchObject([
      { state: 'created' },
    ]);
  });

  it('never serves the quarantine or arbitrary URLs', async () => {
    await t.ctx.storage.put('quarantine/1/audio/x.webm', webm(), { contentType: 'audio/webm' });
    expect((await t.app.inject({ method: 'GET', url: '/api/media/object/quarantine/1/audio/x.webm' })).statusCode).toBe(404);
    for (const url of [
      'http://127.0.0.1:3000/api/media/object/../../etc/passwd',
      'https://169.254.169.254/latest/meta-data/',
      'http://localhost/secret',
      'https://[::1]/x',
      'https://example.com/x.png',
      'file:///etc/passwd',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/proxy-image?url=${encodeURIComponent(url)}` });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('url_not_allowed');
    }
    const dv = await t.app.inject({
      method: 'GET',
      url: `/api/media/download-video?url=${encodeURIComponent('https://evil.example/x.mp4')}`,
    });
    expect(dv.statusCode).toBe(400);
  });
});

describe('upload rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await mediaTestApp({ MEDIA_UPLOAD_RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(() => t.close());

  it('limits anonymous upload URLs per IP (429 with Retry-After)', async () => {
    const call = () => t.app.inject({ method: 'POST', url: '/api/media/get-upload-url', payload: {}, remoteAddress: '203.0.113.9' });
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(200);
    const limited = await call();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    const otherIp = await t.app.inject({ method: 'POST', url: '/api/media/get-upload-url', payload: {}, remoteAddress: '203.0.113.10' });
    expect(otherIp.statusCode).toBe(200);
  });
});
