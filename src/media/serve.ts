import type { FastifyReply } from 'fastify';
import { HttpError } from '../errors.ts';
import { type ByteRange, type ObjectStream, RangeNotSatisfiableError } from '../storage/storage.ts';
import { sanitizeFileName } from './keys.ts';

/**
 * Parses a single-range `Range: bytes=a-b` / `bytes=a-` / `bytes=-n` header. Multiple ranges and
 * anything malformed are ignored (the whole object is sent, as RFC 9110 allows).
 */
function parseRange(header: string | undefined, size?: number): ByteRange | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec((header ?? '').trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    if (size === undefined) return undefined;
    const n = Number(m[2]);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? undefined : Number(m[2]);
  if (end !== undefined && end < start) return undefined;
  return { start, end };
}

export interface SendOptions {
  /** Offer the file as a download with this name. */
  downloadName?: string | undefined;
  /** Overrides the stored content type (e.g. images only). */
  contentType?: string | undefined;
}

/** Streams an object with Range support; callers map a null open() to their own 404. */
export async function sendObject(
  reply: FastifyReply,
  rangeHeader: string | undefined,
  open: (range?: ByteRange) => Promise<ObjectStream | null>,
  notFoundError: () => HttpError,
  opts: SendOptions = {},
) {
  let range = parseRange(rangeHeader);
  let obj: ObjectStream | null;
  try {
    obj = await open(range);
    // A suffix range (bytes=-n) needs the size first.
    if (!range && rangeHeader && /^bytes=-\d+$/.test(rangeHeader.trim()) && obj) {
      obj.body.destroy();
      range = parseRange(rangeHeader, obj.size);
      obj = await open(range);
    }
  } catch (err) {
    if (err instanceof RangeNotSatisfiableError) {
      reply.header('content-range', `bytes */${err.size}`);
      throw new HttpError(416, 'range_not_satisfiable', `The requested range is outside the file (${err.size} bytes).`);
    }
    throw err;
  }
  if (!obj) throw notFoundError();
  reply.header('accept-ranges', 'bytes');
  reply.header('content-type', opts.contentType ?? obj.contentType ?? 'application/octet-stream');
  reply.header('x-content-type-options', 'nosniff');
  // Stored files are served from our origin: never let one run as a page.
  reply.header('content-security-policy', "default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  reply.header('cache-control', 'private, max-age=3600');
  // Media plays in place; anything else (documents, text) is only ever a download, never a page.
  const type = String(reply.getHeader('content-type'));
  if (opts.downloadName) reply.header('content-disposition', `attachment; filename="${sanitizeFileName(opts.downloadName)}"`);
  else reply.header('content-disposition', /^(image|audio|video)\//.test(type) ? 'inline' : 'attachment');
  if (obj.range) {
    reply.status(206);
    reply.header('content-range', `bytes ${obj.range.start}-${obj.range.end}/${obj.size}`);
    reply.header('content-length', String(obj.range.end - obj.range.start + 1));
  } else {
    reply.header('content-length', String(obj.size));
  }
  return reply.send(obj.body);
}
