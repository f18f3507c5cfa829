/**
 * The one error type. Services throw it; the handler in app.ts turns it into
 * `{ error, message, code }` — the legacy client shows `error` or `message` as text.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra top-level fields the legacy client reads on some routes (e.g. retryAfter on 429). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const badRequest = (message: string, code = 'bad_request') => new HttpError(400, code, message);
export const unauthorized = (message = 'Sign in again: your session is missing or has expired.', code = 'unauthorized') =>
  new HttpError(401, code, message);
export const forbidden = (message = 'You do not have access to this resource.', code = 'forbidden') => new HttpError(403, code, message);
export const notFound = (message = 'Not found.', code = 'not_found') => new HttpError(404, code, message);
export const conflict = (message: string, code = 'conflict') => new HttpError(409, code, message);
export const gone = (message: string, code = 'gone') => new HttpError(410, code, message);
export const unprocessable = (message: string, code = 'unprocessable') => new HttpError(422, code, message);
export const tooManyRequests = (retryAfterSeconds: number, message?: string, code = 'rate_limited') =>
  new HttpError(429, code, message ?? `Too many requests. Try again in ${retryAfterSeconds} seconds.`, { retryAfter: retryAfterSeconds });
