import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage, verifyLocalUpload } from './local.ts';
import { createS3Storage } from './s3.ts';
import { type LocalS3, startLocalS3 } from './s3rver.fixture.ts';
import { createUrlSigner } from './signer.ts';
import { RangeNotSatisfiableError, type Storage } from './storage.ts';

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

/** The behaviour every Storage adapter must have, run against each one. */
function contract(
  name: string,
  make: () => Promise<{ storage: Storage; upload: (url: string, headers: Record<string, string>, body: string) => Promise<number> }>,
) {
  describe(`${name} storage`, () => {
    let storage: Storage;
    let upload: (url: string, headers: Record<string, string>, body: string) => Promise<number>;
    beforeAll(async () => {
      ({ storage, upload } = await make());
    });

    it('puts, heads and gets an object, whole and by range', async () => {
      await storage.put('audio/a.webm', Buffer.from('hello world'), { contentType: 'audio/webm' });
      const h = await storage.head('audio/a.webm');
      expect(h).toMatchObject({ key: 'audio/a.webm', size: 11 });
      expect(h?.lastModified).toBeInstanceOf(Date);
      const whole = await storage.get('audio/a.webm');
      expect(whole?.size).toBe(11);
      expect(await text(whole?.body as Readable)).toBe('hello world');
      const part = await storage.get('audio/a.webm', { start: 6, end: 20 });
      expect(part?.range).toEqual({ start: 6, end: 10 });
      expect(await text(part?.body as Readable)).toBe('world');
      await expect(storage.get('audio/a.webm', { start: 50 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    });

    it('answers null for a missing object and deletes idempotently', async () => {
      expect(await storage.head('audio/missing.webm')).toBeNull();
      expect(await storage.get('audio/missing.webm')).toBeNull();
      await storage.put('audio/b.webm', Buffer.from('x'), { contentType: 'audio/webm' });
      await storage.delete('audio/b.webm');
      await storage.delete('audio/b.webm');
      expect(await storage.head('audio/b.webm')).toBeNull();
    });

    it('copies objects (quarantine)', async () => {
      await storage.put('profiles/c.png', Buffer.from('png!'), { contentType: 'image/png' });
      await storage.copy('profiles/c.png', 'quarantine/1/profiles/c.png');
      expect(await text((await storage.get('quarantine/1/profiles/c.png'))?.body as Readable)).toBe('png!');
      expect(await storage.head('profiles/c.png')).not.toBeNull();
    });

    it('lists by prefix in key order, in batches, resuming after a key', async () => {
      for (let i = 0; i < 7; i++) await storage.put(`attachments/list/${i}.txt`, Buffer.from(String(i)), { contentType: 'text/plain' });
      await storage.put('attachmentsX/other.txt', Buffer.from('no'), { contentType: 'text/plain' });
      const seen: string[] = [];
      let after: string | null = null;
      let batches = 0;
      do {
        const page = await storage.list('attachments/list/', { after, limit: 3 });
        seen.push(...page.objects.map((o) => o.key));
        after = page.next;
        batches++;
      } while (after);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `attachments/list/${i}.txt`));
      expect(batches).toBe(3);
    });

    it('hands out a presigned upload URL a browser can PUT to', async () => {
      const now = new Date();
      const signed = await storage.presignUpload('attachments/p/doc.txt', {
        contentType: 'text/plain',
        size: 5,
        expiresInSeconds: 600,
        now,
      });
      expect(signed.method).toBe('PUT');
      expect(await upload(signed.url, signed.headers, 'hello')).toBeLessThan(300);
      expect((await storage.head('attachments/p/doc.txt'))?.size).toBe(5);
    });

    it('rejects keys outside the layout rules', async () => {
      for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/../b', '']) {
        await expect(storage.put(bad, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(/Invalid storage key/);
      }
    });
  });
}

contract('local', async () => {
  const signer = createUrlSigner('s'.repeat(40));
  const storage = createLocalStorage({ root: mkdtempSync(join(tmpdir(), 'qc-local-')), publicUrl: 'http://app.test', signer });
  // Our own PUT route does this with the verified grant (src/media/local-routes.ts).
  const upload = async (url: string, headers: Record<string, string>, body: string) => {
    const grant = verifyLocalUpload(signer, Object.fromEntries(new URL(url).searchParams), new Date());
    if (!grant || headers['content-type'] !== grant.contentType || body.length !== grant.size) return 403;
    await storage.put(grant.key, Buffer.from(body), { contentType: grant.contentType });
    return 200;
  };
  return { storage, upload };
});

describe('local presigned URLs', () => {
  const signer = createUrlSigner('s'.repeat(40));
  const storage = createLocalStorage({ root: mkdtempSync(join(tmpdir(), 'qc-local-')), publicUrl: 'http://app.test', signer });
  it('refuse an altered or expired URL', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { url } = await storage.presignUpload('attachments/x/a.pdf', {
      contentType: 'application/pdf',
      size: 10,
      expiresInSeconds: 60,
      now,
    });
    const q = Object.fromEntries(new URL(url).searchParams);
    expect(verifyLocalUpload(signer, q, now)?.key).toBe('attachments/x/a.pdf');
    expect(verifyLocalUpload(signer, { ...q, size: '999999' }, now)).toBeNull();
    expect(verifyLocalUpload(signer, { ...q, key: 'attachments/x/b.pdf' }, now)).toBeNull();
    expect(verifyLocalUpload(signer, q, new Date(now.getTime() + 61_000))).toBeNull();
    expect(verifyLocalUpload(createUrlSigner('t'.repeat(40)), q, now)).toBeNull();
  });
});

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.stop();
});

contract('s3 (s3rver)', async () => {
  const storage = createS3Storage({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
  const upload = async (url: string, headers: Record<string, string>, body: string) =>
    (await fetch(url, { method: 'PUT', headers, body })).status;
  return { storage, upload };
});
