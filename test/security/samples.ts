/**
 * Valid request material the policy table's samples need: payment holds, uploaded files, signed
 * upload URLs, stored objects. Each call makes fresh material through the real routes.
 */
import { attachmentKey, audioKey, profilePictureKey } from '../../src/media/keys.ts';
import { multipart, webm, webp } from '../../src/media/test-helpers.ts';
import { objectUrl } from '../../src/media/urls.ts';
import { holdFor, questionBody, xanoQuestionBody } from '../question-helpers.ts';
import type { BuildCtx } from './types.ts';

const rel = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** The body of a question to the owner expert, with a fresh held payment. */
export async function askBody(c: BuildCtx, tier: 'quick_consult' | 'deep_dive') {
  const e = c.w.expertOf('owner');
  const amount = tier === 'quick_consult' ? e.profile.tier1_price_cents : 20_000;
  const intent = await holdFor(c.w.t, amount);
  c.w.secrets.add(intent);
  const body = questionBody(e.profile.handle as string, intent, { payerEmail: `asker-${c.n}@asker.test` });
  return tier === 'quick_consult' ? body : { ...body, proposed_price_cents: amount, asker_message: 'Worth it?' };
}

/** The same question in the Xano input names (the X paths /question/{quick-consult,deep-dive}). */
export async function xanoAskBody(c: BuildCtx, tier: 'quick_consult' | 'deep_dive') {
  const e = c.w.expertOf('owner');
  const amount = tier === 'quick_consult' ? e.profile.tier1_price_cents : 20_000;
  const intent = await holdFor(c.w.t, amount);
  c.w.secrets.add(intent);
  const body = xanoQuestionBody(e.profile.id as number, intent, { payer_email: `asker-${c.n}@asker.test` });
  return tier === 'quick_consult' ? body : { ...body, proposed_price_cents: amount, asker_message: 'Worth it?' };
}

async function post(c: BuildCtx, url: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await c.w.t.app.inject({ method: 'POST', url, payload: payload as object, headers, remoteAddress: c.w.ip() });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json().data;
}

/** An audio segment uploaded anonymously (as the asker's browser does); its key and URL. */
export async function uploadedAudio(c: BuildCtx): Promise<{ uid: string; playbackUrl: string }> {
  const res = await c.w.t.app.inject({
    method: 'POST',
    url: '/api/media/upload-audio',
    headers: { 'content-type': 'audio/webm' },
    payload: webm(40),
    remoteAddress: c.w.ip(),
  });
  if (res.statusCode !== 200) throw new Error(`upload-audio: ${res.statusCode} ${res.body}`);
  return res.json().data;
}

/** A signed, unused upload URL for an attachment (path and query, relative). */
export async function signedAttachmentUpload(c: BuildCtx): Promise<string> {
  const data = await post(c, '/api/media/get-attachment-upload-url', {
    filename: 'brief.pdf',
    contentType: 'application/pdf',
    size: PDF.length,
  });
  return rel(data.uploadUrl);
}

/** A signed, unused direct-upload URL for a video (path and query, relative) and its uid. */
export async function signedVideoUpload(c: BuildCtx): Promise<{ url: string; uid: string }> {
  const data = await post(c, '/api/media/get-upload-url', { maxDurationSeconds: 90 });
  return { url: rel(data.uploadURL), uid: data.uid };
}

/** A video uploaded to the local video host. */
export async function uploadedVideo(c: BuildCtx): Promise<string> {
  const { url, uid } = await signedVideoUpload(c);
  const res = await c.w.t.app.inject({
    method: 'POST',
    url,
    ...multipart('file', 'rec.webm', 'video/webm', webm(100)),
    remoteAddress: c.w.ip(),
  });
  if (res.statusCode !== 200) throw new Error(`video upload: ${res.statusCode} ${res.body}`);
  return uid;
}

/** An object in our storage under the given layout; its key and public URL. */
export async function storedObject(c: BuildCtx, kind: 'audio' | 'attachment' | 'picture') {
  const now = c.w.t.ctx.now();
  const key =
    kind === 'audio' ? audioKey(now, 'webm') : kind === 'picture' ? profilePictureKey(now, 'png') : attachmentKey(now, `f${c.n}.pdf`);
  const type = kind === 'picture' ? 'image/png' : kind === 'audio' ? 'audio/webm' : 'application/pdf';
  await c.w.t.ctx.storage.put(key, kind === 'audio' ? webm(20) : kind === 'picture' ? Buffer.from('\x89PNG\r\n\x1a\n0000') : PDF, {
    contentType: type,
  });
  return { key, url: objectUrl(c.w.t.ctx, key) };
}

export const pdfPart = () => multipart('file', 'brief.pdf', 'application/pdf', PDF);
export const imagePart = () => multipart('image', 'avatar.webp', 'image/webp', webp());
export const videoPart = () => multipart('file', 'rec.webm', 'video/webm', webm(100));
export const audioRaw = () => ({ payload: webm(40), headers: { 'content-type': 'audio/webm' } });
export const pdfRaw = () => ({ payload: PDF, headers: { 'content-type': 'application/pdf' } });
