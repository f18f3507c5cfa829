import type { Readable } from 'node:stream';

/** An object as listed or probed; `lastModified` drives the cleanup's age guard. */
export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
  contentType?: string | undefined;
}

/** Inclusive byte range, as in an HTTP Range header; `end` undefined = to the end. */
export interface ByteRange {
  start: number;
  end?: number | undefined;
}

export interface ObjectStream {
  body: Readable;
  /** Size of the whole object. */
  size: number;
  contentType: string | undefined;
  /** The range actually served (inclusive), when one was asked. */
  range?: { start: number; end: number } | undefined;
}

interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the uploader must send exactly as signed. */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface ListPage {
  objects: StoredObject[];
  /** Pass as `after` for the next batch; null = done. */
  next: string | null;
}

/**
 * Object storage as the media domain needs it. Keys are `/`-separated, never start with `/`
 * and never contain `..`; adapters reject anything else.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** A stream needs its `size` (S3 wants the length before the body; nothing is buffered). */
  put(key: string, body: Buffer | Readable, opts: { contentType: string; size?: number }): Promise<void>;
  head(key: string): Promise<StoredObject | null>;
  /** null when the object does not exist (or the range starts past its end: then `size` tells). */
  get(key: string, range?: ByteRange): Promise<ObjectStream | null>;
  /** Server-side copy (quarantine and restore). */
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
  /** One batch of objects under `prefix`, in key order, strictly after `after`. */
  list(prefix: string, opts?: { after?: string | null; limit?: number }): Promise<ListPage>;
  /** A URL a browser can PUT the object to, without credentials, until `expiresInSeconds`. */
  presignUpload(key: string, opts: { contentType: string; size: number; expiresInSeconds: number; now: Date }): Promise<PresignedUpload>;
}

const KEY = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9!_.*'()\-/]{1,512}$/;

export function assertKey(key: string): void {
  if (!KEY.test(key) || key.includes('//')) throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
}

export class RangeNotSatisfiableError extends Error {
  readonly size: number;
  constructor(size: number) {
    super(`Range not satisfiable for an object of ${size} bytes`);
    this.size = size;
  }
}

/** Clamps a requested range to an object of `size` bytes; throws when it starts past the end. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  if (range.start >= size) throw new RangeNotSatisfiableError(size);
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (end < range.start) throw new RangeNotSatisfiableError(size);
  return { start: range.start, end };
}
