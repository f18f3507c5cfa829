import type { ErrorCode } from './error-codes.ts';

/**
 * The one error type. Services throw it; the handler in app.ts turns it into
 * `{ error, message, code }` — the legacy client shows `error` or `message` as text.
 * `code` is one of src/error-codes.ts, where each code's status and meaning are listed.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra top-level fields the legacy client reads on some routes (e.g. retryAfter on 429). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const badRequest = (message: string, code: ErrorCode) => new HttpError(400, code, message);
export const unauthorized = (message: string, code: ErrorCode) => new HttpError(401, code, message);
export const forbidden = (message: string, code: ErrorCode) => new HttpError(403, code, message);
export const notFound = (message = 'Not found.', code: ErrorCode = 'not_found') => new HttpError(404, code, message);
export const conflict = (message: string, code: ErrorCode) => new HttpError(409, code, message);
export const gone = (message: string, code: ErrorCode) => new HttpError(410, code, message);
export const unprocessable = (message: string, code: ErrorCode) => new HttpError(422, code, message);
export const tooManyRequests = (retryAfterSeconds: number, message?: string, code: ErrorCode = 'rate_limited') =>
  new HttpError(429, code, message ?? `Too many requests. Try again in ${retryAfterSeconds} seconds.`, { retryAfter: retryAfterSeconds });
