import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionLoss } from '../db/connection-loss.ts';
import type { ErrorCode } from '../error-codes.ts';
import { HttpError } from '../errors.ts';

/** The body every error answers with; `error` and `message` are both readable strings. */
export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return { error: message, message, code, ...extra };
}

/**
 * Client errors of @fastify/multipart that may reach the handler keep the code they always had (the
 * plugin's, lower-cased); any other framework client error without a mapping here is `bad_request`.
 */
const PLUGIN_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_FIELDS_LIMIT: 'fst_fields_limit',
  FST_FILES_LIMIT: 'fst_files_limit',
  FST_INVALID_JSON_FIELD_ERROR: 'fst_invalid_json_field_error',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'fst_invalid_multipart_content_type',
  FST_MP_PREMATURE_CLOSE: 'fst_mp_premature_close',
  FST_PARTS_LIMIT: 'fst_parts_limit',
  FST_PROTO_VIOLATION: 'fst_proto_violation',
};

/** Fastify's own errors mapped to stable codes and messages a reader can act on. */
function fromFastify(err: FastifyError): HttpError | null {
  if (err.validation) {
    const first = err.validation[0];
    const where = err.validationContext ?? 'request';
    const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    let detail = first?.message ?? 'is invalid';
    if (missing) detail = `${missing} is required`;
    else if (extra) detail = `${extra} is not an accepted field`;
    else if (path) detail = `${path} ${detail}`;
    return new HttpError(400, 'validation_failed', `Invalid ${where}: ${detail}.`);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'validation_failed', 'The JSON body is empty: send an object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new HttpError(err.statusCode, PLUGIN_CODES[err.code] ?? 'bad_request', err.message);
  }
  return null;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const known = err instanceof HttpError ? err : fromFastify(err);
    if (!known && isConnectionLoss(err)) {
      // A lost database connection (failover, restart): the pool reconnects, the client retries.
      req.log.warn({ err: (err as Error).message }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', '2')
        .send(errorBody('database_unavailable', 'The database is unavailable for a moment. Try again in a few seconds.'));
    }
    if (!known) {
      req.log.error({ err }, 'unhandled error');
      return reply
        .status(500)
        .send(errorBody('internal_error', `Something went wrong on our side. Try again; if it persists, quote request id ${req.id}.`));
    }
    if ((known.status === 429 || known.status === 503) && typeof known.extra.retryAfter === 'number') {
      reply.header('retry-after', String(known.extra.retryAfter));
    }
    if (known.status >= 500) req.log.error({ err }, known.message);
    return reply.status(known.status).send(errorBody(known.code, known.message, known.extra));
  });
}
