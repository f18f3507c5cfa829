import type { Socket } from 'node:net';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { HttpError } from '../errors.ts';
import { errorBody } from './error-handler.ts';
import { installBodyRate, installOverloadShedding, installUploadCap } from './overload.ts';

/** Framework errors raised before Fastify has a request (bad request line, header overflow, timeouts), in our shape. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', errorBody('request_timeout', 'The request took too long to arrive.')]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', errorBody('headers_too_large', 'The request headers are too large.')]
        : [400, 'Bad Request', errorBody('bad_request', 'The request is not valid HTTP.')];
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

/** Constructor options: timeouts against slow clients (Node checks them every second, not every 30). */
export function serverOptions(config: Config) {
  const h = config.http;
  return {
    connectionTimeout: h.idleTimeoutMs,
    requestTimeout: h.requestTimeoutMs,
    http: { headersTimeout: h.headersTimeoutMs, requestTimeout: h.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    clientErrorHandler,
    // Our own 503 (with code and Retry-After) answers requests that arrive while closing.
    return503OnClosing: false,
  };
}

/**
 * Security headers on every answer (API, docs, files) through helmet; HSTS only where the server is
 * reached over TLS. Then the slow-client and overload guards.
 */
export async function installHardening(app: FastifyInstance, config: Config, database: 'pglite' | 'postgres'): Promise<void> {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw new HttpError(503, 'shutting_down', 'This server is restarting. Try again in a moment.', { retryAfter: 1 });
    }
  });
  const tls = config.trustProxy || config.publicUrl.startsWith('https:');
  await app.register(helmet, {
    global: true,
    // The API answers JSON; files set their own sandboxing policy (src/media/serve.ts) and /docs
    // needs Swagger UI's inline scripts, so the CSP stays per response.
    contentSecurityPolicy: false,
    // Media and avatars are loaded by the client from another origin.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginOpenerPolicy: false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // The body-rate watch first, so it covers every request; the upload cap answers before the
  // queue: a client over its cap must not take a slot.
  installBodyRate(app, config.http);
  installUploadCap(app, config.http);
  installOverloadShedding(app, config.http, database);
}
