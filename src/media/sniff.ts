import { fileTypeFromBuffer } from 'file-type';
import { HttpError } from '../errors.ts';
import { audioMatches, imageMatches, isWebm } from './file-types.ts';

/**
 * Declared types and the types the magic-number library may report for the same content: a WebM
 * recording is Matroska, an Office document a ZIP or CFB container, an m4a an MP4.
 */
const SAME_CONTENT: Record<string, string[]> = {
  'audio/webm': ['video/webm', 'audio/webm', 'video/x-matroska'],
  'video/webm': ['video/webm', 'audio/webm', 'video/x-matroska'],
  'audio/ogg': ['audio/ogg', 'audio/opus', 'application/ogg', 'video/ogg', 'audio/x-flac'],
  'audio/mp4': ['audio/mp4', 'video/mp4', 'audio/x-m4a', 'audio/aac'],
  'audio/x-m4a': ['audio/mp4', 'video/mp4', 'audio/x-m4a'],
  'video/mp4': ['video/mp4', 'audio/mp4', 'audio/x-m4a', 'video/quicktime'],
  'video/quicktime': ['video/quicktime', 'video/mp4'],
  'audio/wav': ['audio/wav', 'audio/vnd.wave', 'audio/x-wav'],
  'audio/x-wav': ['audio/wav', 'audio/vnd.wave', 'audio/x-wav'],
  'application/msword': ['application/x-cfb', 'application/msword'],
  'application/vnd.ms-excel': ['application/x-cfb', 'application/vnd.ms-excel'],
  'application/vnd.ms-powerpoint': ['application/x-cfb', 'application/vnd.ms-powerpoint'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [
    'application/zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [
    'application/zip',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': [
    'application/zip',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
};

const TEXT_TYPES = new Set(['text/plain', 'text/csv']);
/** Text a browser would run or render as a page when served from our origin. */
const MARKUP = /^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe|<object|<embed|<meta|<a\s|<img|<div|<!--)/i;

/** What the bytes are: the library's answer, else our own name for text, markup or unknown bytes. */
async function detectType(data: Buffer): Promise<string> {
  const found = await fileTypeFromBuffer(data);
  if (found) return found.mime;
  const head = data.subarray(0, 4096);
  const text = head.toString('utf8');
  if (head.includes(0) || text.includes('\uFFFD')) return 'application/octet-stream';
  return MARKUP.test(text) ? 'text/html' : 'text/plain';
}

/** Our older signature checks, for the streams the library cannot name from a short sample. */
function signatureMatches(declared: string, data: Buffer): boolean {
  if (declared === 'video/webm' || declared === 'audio/webm') return isWebm(data);
  if (declared.startsWith('audio/')) return audioMatches(declared, data);
  if (declared.startsWith('image/')) return imageMatches(declared, data);
  return false;
}

const contentMismatch = (declared: string, detected: string) =>
  new HttpError(
    415,
    'content_type_mismatch',
    `The file's content is ${detected}, not the declared ${declared}: send it with its real type.`,
    {
      detected,
    },
  );

/**
 * Checks an upload's bytes against its declared type (already on the field's allow-list): HTML sent
 * as a PDF or a Windows executable sent as a PNG is refused with what was found.
 */
export async function assertContentMatches(declared: string, data: Buffer): Promise<void> {
  const detected = await detectType(data);
  if (detected === declared || SAME_CONTENT[declared]?.includes(detected)) return;
  if (TEXT_TYPES.has(declared) && detected === 'text/plain') return;
  const unnamed = detected === 'application/octet-stream' || detected === 'text/plain';
  if (unnamed && signatureMatches(declared, data)) return;
  throw contentMismatch(declared, detected);
}
