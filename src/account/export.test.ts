import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { bearer, createUser, tokenFor } from '../../test/factories.ts';
import { workFileDeletionOutbox } from '../file-deletion/service.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { runRetention } from '../privacy/retention.ts';
import { richExpert } from './test-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp({ EXPORT_LIMIT_PER_DAY: '2' });
});
afterAll(async () => {
  await t?.close();
});

/** The entries of a ZIP (local file headers; stored or deflated), enough to read our own archives. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (buf.readUInt32LE(i) === 0x04034b50) {
    const method = buf.readUInt16LE(i + 8);
    const flags = buf.readUInt16LE(i + 6);
    const nameLen = buf.readUInt16LE(i + 26);
    const extraLen = buf.readUInt16LE(i + 28);
    const name = buf.toString('utf8', i + 30, i + 30 + nameLen);
    const start = i + 30 + nameLen + extraLen;
    // Streaming writers put sizes in a data descriptor: find the entry's end by the next signature.
    let size = buf.readUInt32LE(i + 18);
    if (flags & 0x08) {
      let j = start;
      while (j < buf.length - 4 && buf.readUInt32LE(j) !== 0x08074b50) j++;
      size = j - start;
    }
    const data = buf.subarray(start, start + size);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    i = start + size + (flags & 0x08 ? 16 : 0);
  }
  return out;
}

describe('POST /me/export', () => {
  it('exports the account as a ZIP of JSON and its own files, behind a link that expires after 7 days', async () => {
    const acc = await richExpert(t, { questions: 2 });
    const res = await t.app.inject({ method: 'POST', url: '/me/export', headers: acc.expert.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, success: true });
    expect(body.expires_at).toBe(t.ctx.now().getTime() + 7 * 24 * 3600_000);
    const path = new URL(body.download_url).pathname;
    const dl = await t.app.inject({ method: 'GET', url: path });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/zip');
    const entries = unzip(dl.rawPayload);
    const doc = JSON.parse(entries.get('export.json')?.toString() ?? '{}');
    expect(doc.user.email).toBe(acc.email);
    expect(doc.profile.id).toBe(acc.expert.profile.id);
    expect(doc.questions.map((q: { id: number }) => q.id)).toEqual(acc.questionIds);
    expect(JSON.stringify(doc.questions)).not.toContain('playback_token_hash');
    expect(doc.answers).toHaveLength(1);
    expect(doc.campaigns).toHaveLength(1);
    expect(JSON.stringify(doc.visits)).not.toContain(`ip${acc.marker}`);
    // Its own files (picture, answer attachment, upload) are inside; the askers' files are not.
    const names = [...entries.keys()].filter((n) => n.startsWith('files/'));
    expect(names).toHaveLength(body.file_count);
    expect(body.file_count).toBe(3);
    for (const key of acc.askerKeys) expect(names).not.toContain(`files/storage/${key}`);
    const picture = names.find((n) => n.includes('profiles/')) as string;
    expect(entries.get(picture)?.toString()).toBe(`file of ${acc.marker}`);

    // Rate limit: 2 a day here.
    expect((await t.app.inject({ method: 'POST', url: '/me/export', headers: acc.expert.auth })).statusCode).toBe(200);
    const limited = await t.app.inject({ method: 'POST', url: '/me/export', headers: acc.expert.auth });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Expiry: 410, then the retention job deletes the archive.
    t.clock.advance(7 * 24 * 3600_000);
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
    const row = await t.database.db
      .selectFrom('account_export')
      .select('object_key')
      .where('id', '=', body.export_id)
      .executeTakeFirstOrThrow();
    await runRetention(t.ctx, false);
    await workFileDeletionOutbox(t.ctx);
    expect(await t.ctx.storage.head(row.object_key)).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
  });

  it('exports an account without an expert profile, and needs a session', async () => {
    const u = await createUser(t.database.db);
    const res = await t.app.inject({ method: 'POST', url: '/me/export', headers: bearer(await tokenFor(t.ctx, u)) });
    expect(res.statusCode).toBe(200);
    expect(res.json().file_count).toBe(0);
    expect((await t.app.inject({ method: 'POST', url: '/me/export' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/account/export/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).statusCode).toBe(404);
  });

  it('deletes the archives of an account with the account', async () => {
    const u = await createUser(t.database.db);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', u.id).execute();
    const auth = bearer(await tokenFor(t.ctx, u));
    const exp = (await t.app.inject({ method: 'POST', url: '/me/export', headers: auth })).json();
    const row = await t.database.db
      .selectFrom('account_export')
      .select('object_key')
      .where('id', '=', exp.export_id)
      .executeTakeFirstOrThrow();
    const del = await t.app.inject({ method: 'DELETE', url: '/me/delete-account', headers: auth });
    expect(del.json().counts.account_export).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: new URL(exp.download_url).pathname })).statusCode).toBe(404);
    await workFileDeletionOutbox(t.ctx);
    expect(await t.ctx.storage.head(row.object_key)).toBeNull();
  });
});
