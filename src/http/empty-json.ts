import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Replaces the JSON parser of `scope` with one that reads an empty body as no body — the legacy
 * client and console send `Content-Type: application/json` with nothing after it on some calls —
 * and parses everything else as Fastify does (with its prototype-poisoning checks). Fastify's own
 * parser rejects an empty body, which stays the rule outside such a scope. `onRaw` sees the
 * exact text first (a signed webhook checks its bytes).
 */
export function acceptEmptyJson(scope: FastifyInstance, onRaw?: (req: FastifyRequest, text: string) => void): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    onRaw?.(req, text);
    if (text.trim() === '') return done(null, undefined);
    parseJson(req, text, done);
  });
}
