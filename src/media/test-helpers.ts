import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../../test/app.ts';
import type { Db } from '../db/index.ts';

/** A test app whose local storage lives in its own temporary DATA_DIR. */
export function mediaTestApp(env: Record<string, string> = {}) {
  return createTestApp({ DATA_DIR: mkdtempSync(join(tmpdir(), 'qc-media-')), ...env });
}

export const webm = (n = 64) => Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(n, 7)]);
export const webp = () => Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(32, 1)]);

/** A question of the expert, pointing at a media row (what the questions domain does on submit). */
export async function createQuestion(db: Db, expertProfileId: number, over: { mediaAssetId?: number | null; attachments?: unknown } = {}) {
  return db
    .insertInto('question')
    .values({
      expert_profile_id: expertProfileId,
      payer_email: 'asker@example.test',
      title: 'How do I?',
      price_cents: 5000,
      status: 'paid',
      media_asset_id: over.mediaAssetId ?? null,
      attachments: over.attachments === undefined ? null : JSON.stringify(over.attachments),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function multipart(field: string, filename: string, type: string, data: Buffer) {
  const boundary = `----qc${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const payload = Buffer.concat([head, data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
