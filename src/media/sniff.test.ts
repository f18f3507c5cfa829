import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { mediaTestApp, multipart, webp } from './test-helpers.ts';

const rel = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const PDF = Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n', 'latin1');
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
/** The start of a Windows PE executable: "MZ", then the DOS stub. */
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(256)]);

describe('upload content sniffing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await mediaTestApp();
  });
  afterAll(() => t.close());

  const sessions = async () => (await t.ctx.db.selectFrom('upload_session').select('id').execute()).length;
  const upload = (url: string, field: string, name: string, type: string, data: Buffer) =>
    t.app.inject({ method: 'POST', url, ...multipart(field, name, type, data) });

  it('refuses HTML sent as a PDF and an executable sent as a PNG with 415 naming what was found, storing nothing', async () => {
    const before = await sessions();
    const html = await upload('/api/media/upload-attachment', 'file', 'cv.pdf', 'application/pdf', HTML);
    expect(html.statusCode).toBe(415);
    expect(html.json()).toMatchObject({ code: 'content_type_mismatch', detected: 'text/html' });
    expect(html.json().message).toContain('text/html');
    const exe = await upload('/api/upload/profile-picture', 'image', 'me.png', 'image/png', EXE);
    expect(exe.statusCode).toBe(415);
    expect(exe.json()).toMatchObject({ code: 'content_type_mismatch', detected: 'application/x-msdownload' });
    const exeAsText = await upload('/api/media/upload-attachment', 'file', 'notes.txt', 'text/plain', EXE);
    expect([exeAsText.statusCode, exeAsText.json().detected]).toEqual([415, 'application/x-msdownload']);
    const pngAsPdf = await upload('/api/media/upload-attachment', 'file', 'a.pdf', 'application/pdf', webp());
    expect([pngAsPdf.statusCode, pngAsPdf.json().detected]).toEqual([415, 'image/webp']);
    expect(await sessions()).toBe(before);
  });

  it('refuses a mismatching PUT to a presigned attachment URL', async () => {
    const grant = await t.app.inject({
      method: 'POST',
      url: '/api/media/get-attachment-upload-url',
      payload: { filename: 'a.pdf', contentType: 'application/pdf', size: HTML.length },
    });
    const { uploadUrl, key } = grant.json().data;
    const put = await t.app.inject({ method: 'PUT', url: rel(uploadUrl), headers: { 'content-type': 'application/pdf' }, payload: HTML });
    expect([put.statusCode, put.json().code]).toEqual([415, 'content_type_mismatch']);
    const row = await t.ctx.db.selectFrom('upload_session').select('status').where('object_key', '=', key).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
  });

  it('refuses an empty file with 400 and stores nothing', async () => {
    const before = await sessions();
    const res = await upload('/api/media/upload-attachment', 'file', 'a.pdf', 'application/pdf', Buffer.alloc(0));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String), message: expect.any(String), code: 'empty_upload' });
    const pic = await upload('/api/upload/profile-picture', 'image', 'a.webp', 'image/webp', Buffer.alloc(0));
    expect([pic.statusCode, pic.json().code]).toEqual([400, 'empty_upload']);
    expect(await sessions()).toBe(before);
  });

  it('accepts a real PDF and serves it back as a download with nosniff', async () => {
    const res = await upload('/api/media/upload-attachment', 'file', 'brief.pdf', 'application/pdf', PDF);
    expect(res.statusCode).toBe(200);
    const got = await t.app.inject({ method: 'GET', url: rel(res.json().data.url) });
    expect(got.statusCode).toBe(200);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe('attachment');
    const pic = await upload('/api/upload/profile-picture', 'image', 'a.webp', 'image/webp', webp());
    const img = await t.app.inject({ method: 'GET', url: rel(pic.json().url) });
    expect([img.headers['content-disposition'], img.headers['x-content-type-options']]).toEqual(['inline', 'nosniff']);
  });
});
