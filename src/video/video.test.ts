import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../storage/local.ts';
import { createUrlSigner } from '../storage/signer.ts';
import { createCloudflareStream, DownloadsNotEnabledError } from './cloudflare-stream.ts';
import { createLocalVideoHost, verifyLocalVideoUpload } from './local.ts';
import { type StreamStub, startStreamStub } from './stream-stub.fixture.ts';
import type { VideoHost } from './video-host.ts';

const WEBM = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from('fake webm payload')]);

async function bytes(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('local video host', () => {
  const signer = createUrlSigner('v'.repeat(40));
  const storage = createLocalStorage({ root: mkdtempSync(join(tmpdir(), 'qc-video-')), publicUrl: 'http://app.test', signer });
  const host = createLocalVideoHost({ storage, signer, publicUrl: 'http://app.test' });

  it('hands out a signed direct-upload URL for a new uid', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const up = await host.createDirectUpload({ maxDurationSeconds: 90, expiresInSeconds: 3600, now });
    expect(up.uid).toMatch(/^[0-9a-f]{32}$/);
    const q = Object.fromEntries(new URL(up.uploadURL).searchParams);
    expect(verifyLocalVideoUpload(signer, q, now)).toBe(up.uid);
    expect(verifyLocalVideoUpload(signer, { ...q, uid: 'f'.repeat(32) }, now)).toBeNull();
    expect(verifyLocalVideoUpload(signer, q, new Date(now.getTime() + 3_600_001))).toBeNull();
    expect(await host.status(up.uid)).toBeNull();
  });

  it('stores, reports, lists, serves by range and deletes a video', async () => {
    const v = await host.upload(WEBM, { contentType: 'video/webm' });
    expect(await host.status(v.uid)).toMatchObject({ uid: v.uid, state: 'ready', size: WEBM.length });
    expect(await host.enableDownloads(v.uid)).toBe(true);
    expect((await host.list()).videos.map((x) => x.uid)).toContain(v.uid);
    const part = await host.open(v.uid, { start: 0, end: 3 });
    expect(await bytes(part?.body as Readable)).toEqual(WEBM.subarray(0, 4));
    expect(host.uidFromUrl(host.playbackUrl(v.uid))).toBe(v.uid);
    expect(host.uidFromUrl(`https://evil.test/api/media/video/${v.uid}`)).toBeNull();
    await host.delete(v.uid);
    await host.delete(v.uid);
    expect(await host.status(v.uid)).toBeNull();
  });
});

describe('Cloudflare Stream adapter (against a local stub of the API)', () => {
  let stub: StreamStub;
  let host: VideoHost;
  beforeAll(async () => {
    stub = await startStreamStub();
    host = createCloudflareStream({
      accountId: 'acc123',
      apiToken: stub.token,
      customerCode: 'abc',
      apiBase: stub.apiBase,
      deliveryBase: stub.deliveryBase,
    });
  });
  afterAll(() => stub.stop());

  it('creates a direct upload the browser can POST a file to, then reports it ready', async () => {
    const up = await host.createDirectUpload({ maxDurationSeconds: 90, expiresInSeconds: 3600, now: new Date() });
    expect((await host.status(up.uid))?.state).toBe('pendingupload');
    const form = new FormData();
    form.append('file', new Blob([WEBM], { type: 'video/webm' }), 'rec.webm');
    expect((await fetch(up.uploadURL, { method: 'POST', body: form })).status).toBe(200);
    expect(await host.status(up.uid)).toMatchObject({ state: 'ready', size: WEBM.length });
  });

  it('uploads server-side, enables downloads and serves the MP4 by range (424 case before)', async () => {
    const v = await host.upload(WEBM, { contentType: 'video/webm' });
    await expect(host.open(v.uid)).rejects.toBeInstanceOf(DownloadsNotEnabledError);
    expect(await host.enableDownloads(v.uid)).toBe(true);
    const part = await host.open(v.uid, { start: 4, end: 7 });
    expect(part?.range).toEqual({ start: 4, end: 7 });
    expect(await bytes(part?.body as Readable)).toEqual(WEBM.subarray(4, 8));
    expect(host.playbackUrl(v.uid)).toBe(`${stub.deliveryBase}/${v.uid}/manifest/video.m3u8`);
    expect(host.uidFromUrl(host.downloadUrl(v.uid))).toBe(v.uid);
  });

  it('deletes idempotently and returns null for unknown uids', async () => {
    const v = await host.upload(WEBM, { contentType: 'video/webm' });
    await host.delete(v.uid);
    await host.delete(v.uid);
    expect(await host.status(v.uid)).toBeNull();
    expect(await host.open(v.uid)).toBeNull();
  });

  it('lists every video in creation order across batches', async () => {
    for (let i = 0; i < 5; i++) await host.upload(WEBM, { contentType: 'video/webm' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await host.list({ cursor, limit: 2 });
      seen.push(...page.videos.map((v) => v.uid));
      cursor = page.next;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...stub.videos.keys()].sort());
  });

  it('reports API errors with the provider message', async () => {
    const bad = createCloudflareStream({ accountId: 'acc123', apiToken: 'wrong', customerCode: 'abc', apiBase: stub.apiBase });
    await expect(bad.createDirectUpload({ maxDurationSeconds: 90, expiresInSeconds: 60, now: new Date() })).rejects.toThrow(
      /Authentication error/,
    );
  });
});
