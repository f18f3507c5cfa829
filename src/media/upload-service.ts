import type { AppContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import type { LocalUploadGrant } from '../storage/local.ts';
import { localVideoKey } from '../video/local.ts';
import { ATTACHMENT_TYPES, AUDIO_TYPES, baseType, IMAGE_TYPES } from './file-types.ts';
import { attachmentKey, audioKey, profilePictureKey, sanitizeFileName } from './keys.ts';
import { findUploadSession, insertUploadSession, markSessionUploaded } from './queries.ts';
import { assertContentMatches } from './sniff.ts';
import { objectUrl } from './urls.ts';

/** Who is uploading: the signed-in user if any, and always a keyed hash of the client IP. */
export interface Uploader {
  userId: number | null;
  ipHash: string;
}

const URL_TTL_SECONDS = 3600;

export const tooLarge = (what: string, max: number) =>
  new HttpError(413, 'payload_too_large', `The ${what} is too large: the limit is ${Math.floor(max / (1024 * 1024))} MB.`);
const unsupportedType = (what: string, allowed: string[]) =>
  new HttpError(415, 'unsupported_media_type', `This ${what} type is not accepted. Send one of: ${allowed.join(', ')}.`);

/** A session is usable (uploadable, registrable) for the registration window from its creation. */
const sessionExpiry = (ctx: AppContext, now: Date) => new Date(now.getTime() + ctx.config.media.registerWindowMinutes * 60_000);

/** A one-time direct-upload URL for a recording of at most `maxDurationSeconds` (90 when not given). */
export async function requestVideoUpload(ctx: AppContext, who: Uploader, maxDurationSeconds: number | undefined) {
  const now = ctx.now();
  const up = await ctx.video.createDirectUpload({
    maxDurationSeconds: Math.round(maxDurationSeconds ?? 90),
    expiresInSeconds: URL_TTL_SECONDS,
    now,
  });
  await insertUploadSession(ctx.db, {
    kind: 'video',
    target: 'video',
    objectKey: up.uid,
    userId: who.userId,
    ipHash: who.ipHash,
    contentType: 'video/webm',
    maxBytes: ctx.config.media.maxVideoBytes,
    sizeBytes: null,
    originalName: null,
    status: 'pending',
    now,
    expiresAt: sessionExpiry(ctx, now),
  });
  return { uploadURL: up.uploadURL, uid: up.uid };
}

export async function uploadVideoBase64(
  ctx: AppContext,
  who: Uploader,
  input: { videoBase64: string; recordingMode?: string | undefined; segmentIndex?: number | undefined; duration?: number | undefined },
) {
  const b64 = input.videoBase64.replace(/^data:[^,]*,/, '');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(b64)) throw badRequest('videoBase64 is not base64 data.', 'invalid_base64');
  const data = Buffer.from(b64, 'base64');
  if (!data.length) throw badRequest('videoBase64 is empty: record something first.', 'empty_upload');
  if (data.length > ctx.config.media.maxVideoBytes) throw tooLarge('video', ctx.config.media.maxVideoBytes);
  await assertContentMatches('video/webm', data);
  const now = ctx.now();
  const info = await ctx.video.upload(data, { contentType: 'video/webm' });
  await insertUploadSession(ctx.db, {
    kind: 'video',
    target: 'video',
    objectKey: info.uid,
    userId: who.userId,
    ipHash: who.ipHash,
    contentType: 'video/webm',
    maxBytes: ctx.config.media.maxVideoBytes,
    sizeBytes: data.length,
    originalName: null,
    status: 'uploaded',
    now,
    expiresAt: sessionExpiry(ctx, now),
  });
  return {
    uid: info.uid,
    playbackUrl: ctx.video.playbackUrl(info.uid),
    thumbnail: ctx.video.thumbnailUrl(info.uid),
    duration: input.duration ?? info.duration ?? 0,
    mode: input.recordingMode ?? 'video',
    segmentIndex: input.segmentIndex ?? 0,
    size: data.length,
    status: info.state,
  };
}

export async function uploadAudio(ctx: AppContext, who: Uploader, contentType: string | undefined, data: Buffer) {
  const type = baseType(contentType);
  const ext = AUDIO_TYPES[type];
  if (!ext) throw unsupportedType('audio', Object.keys(AUDIO_TYPES));
  if (!data.length) throw badRequest('The audio body is empty: record something first.', 'empty_upload');
  await assertContentMatches(type, data);
  const now = ctx.now();
  const key = audioKey(now, ext);
  await ctx.storage.put(key, data, { contentType: type });
  await insertUploadSession(ctx.db, {
    kind: 'audio',
    target: 'storage',
    objectKey: key,
    userId: who.userId,
    ipHash: who.ipHash,
    contentType: type,
    maxBytes: ctx.config.media.maxAudioBytes,
    sizeBytes: data.length,
    originalName: null,
    status: 'uploaded',
    now,
    expiresAt: sessionExpiry(ctx, now),
  });
  return { uid: key, playbackUrl: objectUrl(ctx, key), mode: 'audio', size: data.length, fileName: key.split('/').pop() ?? key };
}

function checkAttachment(ctx: AppContext, contentType: string, size: number) {
  if (!ATTACHMENT_TYPES.has(contentType)) throw unsupportedType('attachment', [...ATTACHMENT_TYPES]);
  if (size > ctx.config.media.maxAttachmentBytes) throw tooLarge('attachment', ctx.config.media.maxAttachmentBytes);
}

/** The upload session of an attachment: pending (a presigned URL was handed out, size not yet known) or uploaded through us. */
function recordAttachmentSession(
  ctx: AppContext,
  who: Uploader,
  a: { key: string; type: string; filename: string; maxBytes: number; sizeBytes: number | null; now: Date },
) {
  return insertUploadSession(ctx.db, {
    kind: 'attachment',
    target: 'storage',
    objectKey: a.key,
    userId: who.userId,
    ipHash: who.ipHash,
    contentType: a.type,
    maxBytes: a.maxBytes,
    sizeBytes: a.sizeBytes,
    originalName: a.filename.slice(0, 255),
    status: a.sizeBytes === null ? 'pending' : 'uploaded',
    now: a.now,
    expiresAt: sessionExpiry(ctx, a.now),
  });
}

export async function requestAttachmentUpload(
  ctx: AppContext,
  who: Uploader,
  input: { filename: string; contentType: string; size: number },
) {
  const type = baseType(input.contentType);
  checkAttachment(ctx, type, input.size);
  const now = ctx.now();
  const key = attachmentKey(now, input.filename);
  const signed = await ctx.storage.presignUpload(key, { contentType: type, size: input.size, expiresInSeconds: URL_TTL_SECONDS, now });
  await recordAttachmentSession(ctx, who, { key, type, filename: input.filename, maxBytes: input.size, sizeBytes: null, now });
  return { uploadUrl: signed.url, publicUrl: objectUrl(ctx, key), key, expiresIn: URL_TTL_SECONDS };
}

export async function uploadAttachment(ctx: AppContext, who: Uploader, input: { filename: string; contentType: string; data: Buffer }) {
  const type = baseType(input.contentType);
  checkAttachment(ctx, type, input.data.length);
  if (!input.data.length) throw badRequest('The attachment is empty: choose a file with content.', 'empty_upload');
  await assertContentMatches(type, input.data);
  const now = ctx.now();
  const key = attachmentKey(now, input.filename);
  await ctx.storage.put(key, input.data, { contentType: type });
  await recordAttachmentSession(ctx, who, {
    key,
    type,
    filename: input.filename,
    maxBytes: input.data.length,
    sizeBytes: input.data.length,
    now,
  });
  return { name: sanitizeFileName(input.filename), url: objectUrl(ctx, key), type, size: input.data.length, key };
}

export async function uploadProfilePicture(ctx: AppContext, who: Uploader, input: { contentType: string | undefined; data: Buffer }) {
  const type = baseType(input.contentType);
  const ext = IMAGE_TYPES[type];
  if (!ext) throw unsupportedType('image', Object.keys(IMAGE_TYPES));
  if (input.data.length > ctx.config.media.maxImageBytes) throw tooLarge('image', ctx.config.media.maxImageBytes);
  if (!input.data.length) throw badRequest('The image is empty: choose a picture.', 'empty_upload');
  await assertContentMatches(type, input.data);
  const now = ctx.now();
  const key = profilePictureKey(now, ext);
  await ctx.storage.put(key, input.data, { contentType: type });
  await insertUploadSession(ctx.db, {
    kind: 'profile_picture',
    target: 'storage',
    objectKey: key,
    userId: who.userId,
    ipHash: who.ipHash,
    contentType: type,
    maxBytes: ctx.config.media.maxImageBytes,
    sizeBytes: input.data.length,
    originalName: null,
    status: 'uploaded',
    now,
    expiresAt: sessionExpiry(ctx, now),
  });
  return { url: objectUrl(ctx, key), key };
}

/** A PUT to a local presigned URL: the grant is already verified; the body must match it. */
export async function acceptLocalUpload(ctx: AppContext, grant: LocalUploadGrant, contentType: string | undefined, data: Buffer) {
  if (baseType(contentType) !== grant.contentType) {
    throw unsupportedType('upload (Content-Type differs from the one the URL was issued for)', [grant.contentType]);
  }
  if (data.length !== grant.size) {
    if (data.length > grant.size) throw tooLarge('upload', grant.size);
    throw badRequest(`The upload has ${data.length} bytes; the URL was issued for ${grant.size}.`, 'size_mismatch');
  }
  await assertContentMatches(grant.contentType, data);
  const session = await findUploadSession(ctx.db, 'storage', grant.key);
  if (session?.status !== 'pending')
    throw notFound('This upload URL was already used or is unknown: ask for a new one.', 'upload_not_found');
  await ctx.storage.put(grant.key, data, { contentType: grant.contentType });
  await markSessionUploaded(ctx.db, session.id, data.length, ctx.now());
}

/** A POST to a local video direct-upload URL (multipart field `file`). */
export async function acceptLocalVideoUpload(ctx: AppContext, uid: string, data: Buffer) {
  if (data.length > ctx.config.media.maxVideoBytes) throw tooLarge('video', ctx.config.media.maxVideoBytes);
  if (!data.length) throw badRequest('The video is empty: record something first.', 'empty_upload');
  await assertContentMatches('video/webm', data);
  const session = await findUploadSession(ctx.db, 'video', uid);
  if (session?.status !== 'pending')
    throw notFound('This upload URL was already used or is unknown: ask for a new one.', 'upload_not_found');
  await ctx.storage.put(localVideoKey(uid), data, { contentType: 'video/webm' });
  await markSessionUploaded(ctx.db, session.id, data.length, ctx.now());
}

/**
 * Turns on MP4 downloads of a video we issued. Answers at once (the client awaits it): a video
 * still processing reports false and the host enables downloads when it is ready.
 */
export async function enableDownloads(ctx: AppContext, videoId: string) {
  const session = await findUploadSession(ctx.db, 'video', videoId);
  if (!session) throw notFound('No video with this id was uploaded here.', 'video_not_found');
  try {
    return { downloadsEnabled: await ctx.video.enableDownloads(videoId) };
  } catch (err) {
    ctx.log.warn({ err, videoId }, 'enabling downloads failed');
    return { downloadsEnabled: false };
  }
}
