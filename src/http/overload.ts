import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpLimitsConfig } from '../config-http.ts';
import { HttpError } from '../errors.ts';

/** Answers that must stay cheap and always reachable: a load balancer reads /health to decide. */
const EXEMPT = /^\/(health|metrics)(\/|\?|$)/;
const UPLOAD = /^\/api\/(media\/(upload-|local-upload|local-video-upload)|upload\/)/;
const RATE_WINDOW_MS = 5000;
/** Waiting requests beyond this many rounds of the in-flight limit are refused at once. */
const QUEUE_ROUNDS = 4;

/**
 * A refused request may still be sending its body; Node would keep reading it on a closing socket.
 * Give the answer 200 ms to reach the client, then drop the connection.
 */
function dropIfBodyPending(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.complete || (!req.headers['content-length'] && !req.headers['transfer-encoding'])) return;
  reply.header('connection', 'close');
  reply.raw.once('finish', () => setTimeout(() => reply.raw.socket?.destroy(), 200).unref());
}

const overloaded = (seconds: number) =>
  new HttpError(503, 'overloaded', `The server is busy. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, {
    retryAfter: seconds,
  });

/**
 * At most `maxInFlight` requests are handled at once; the next ones wait in a FIFO queue for at most
 * `queueTimeoutMs` (or are refused at once when it is already long), then get 503 with Retry-After. Without it, 200 concurrent clients on PGlite's one
 * connection queued inside the driver for over 10 s each instead of being told to come back.
 */
export function installOverloadShedding(app: FastifyInstance, limits: HttpLimitsConfig, database: 'pglite' | 'postgres'): void {
  // PGlite runs every query on this thread over one connection: more requests at once only add waiting.
  const max = limits.maxInFlight ?? (database === 'pglite' ? 4 : 32);
  let inFlight = 0;
  const waiting: { admit: () => void; timer: NodeJS.Timeout }[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.admit();
    } else inFlight--;
  };
  app.addHook('onRequest', async (req, reply) => {
    if (EXEMPT.test(req.url)) return;
    if (inFlight < max) inFlight++;
    else if (waiting.length >= QUEUE_ROUNDS * max) {
      // A queue this long already means a wait of several full rounds: answer now, the cheapest
      // thing an overloaded server can do.
      dropIfBodyPending(req, reply);
      throw overloaded(1);
    } else {
      await new Promise<void>((admit, refuse) => {
        const entry = {
          admit,
          timer: setTimeout(() => {
            waiting.splice(waiting.indexOf(entry), 1);
            dropIfBodyPending(req, reply);
            refuse(overloaded(1));
          }, limits.queueTimeoutMs),
        };
        waiting.push(entry);
      });
    }
    // Released once, whichever comes first: the response is sent or the client goes away.
    let held = true;
    const done = () => {
      if (held) {
        held = false;
        release();
      }
    };
    req.raw.once('close', done);
    (req as FastifyRequest & { releaseSlot?: () => void }).releaseSlot = done;
  });
  app.addHook('onResponse', async (req) => {
    (req as FastifyRequest & { releaseSlot?: () => void }).releaseSlot?.();
  });
}

/** A per-IP cap on uploads in progress: 2,000 stalled uploads from one client must not all be held. */
export function installUploadCap(app: FastifyInstance, limits: HttpLimitsConfig): void {
  const active = new Map<string, number>();
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST' && req.method !== 'PUT') return;
    if (!UPLOAD.test(req.url)) return;
    const n = active.get(req.ip) ?? 0;
    if (n >= limits.uploadsPerIp) {
      dropIfBodyPending(req, reply);
      throw new HttpError(
        429,
        'too_many_uploads',
        `At most ${limits.uploadsPerIp} uploads at once from one address: wait for one to finish.`,
        {
          retryAfter: 5,
        },
      );
    }
    active.set(req.ip, n + 1);
    let held = true;
    const done = () => {
      if (!held) return;
      held = false;
      const left = (active.get(req.ip) ?? 1) - 1;
      if (left > 0) active.set(req.ip, left);
      else active.delete(req.ip);
    };
    req.raw.once('close', done);
    (req as FastifyRequest & { releaseUpload?: () => void }).releaseUpload = done;
  });
  app.addHook('onResponse', async (req) => {
    (req as FastifyRequest & { releaseUpload?: () => void }).releaseUpload?.();
  });
}

/**
 * Cuts off a body that trickles in (slowloris on the body): every 5 s, the socket must have received
 * at least `bodyMinBytesPerSecond` × 5 bytes until the request is complete. Reads socket counters
 * only, so the body stream is left to the parsers.
 */
export function installBodyRate(app: FastifyInstance, limits: HttpLimitsConfig): void {
  if (limits.bodyMinBytesPerSecond === 0) return;
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.raw;
    if (raw.complete || (!raw.headers['content-length'] && !raw.headers['transfer-encoding'])) return;
    const socket = raw.socket;
    if (!socket || typeof socket.bytesRead !== 'number') return;
    let last = socket.bytesRead;
    // One timer per request, re-armed after each window the body kept up (no poller: it ends with the body).
    const timer = setTimeout(() => {
      if (raw.complete || socket.destroyed) return;
      const got = socket.bytesRead - last;
      last = socket.bytesRead;
      if (got >= (limits.bodyMinBytesPerSecond * RATE_WINDOW_MS) / 1000) {
        timer.refresh();
        return;
      }
      req.log.warn({ got }, 'request body too slow: connection closed');
      if (!reply.sent) {
        socket.end(
          `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({
            error: 'The request body arrived too slowly.',
            message: 'The request body arrived too slowly.',
            code: 'request_too_slow',
          })}`,
        );
      }
      socket.destroy();
    }, RATE_WINDOW_MS);
    timer.unref();
    raw.once('close', () => clearTimeout(timer));
  });
}
