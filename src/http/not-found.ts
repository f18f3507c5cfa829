/**
 * What a request no route matched gets. Under an API prefix it is always JSON `{error, message,
 * code}`: 405 (with Allow) when the path exists for another method, else 404. Only a GET that
 * accepts text/html outside the API prefixes gets the single-page client's index.html (STATIC_DIR).
 *
 * API prefixes: /api/…, /api:<any group>/… (the group is stripped before routing, so the original
 * URL is checked), /internal/…, and the first segment of every registered route, except the two
 * the client's own pages share with the API (/auth/magic-link and /auth/callback, /expert and
 * /expert/marketing): there an unknown path is a page for a browser and JSON for everyone else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './app-type.ts';
import { errorBody } from './error-handler.ts';

const SHARED_WITH_PAGES = new Set(['auth', 'expert']);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const firstSegment = (url: string) => url.split(/[/?#]/)[1] ?? '';

export function installNotFound(app: App, staticDir: string | null): void {
  const apiSegments = new Set(['api', 'internal', 'docs', 'metrics', 'health']);
  app.addHook('onRoute', (route) => {
    const seg = firstSegment(route.url);
    if (seg && !SHARED_WITH_PAGES.has(seg) && !seg.startsWith(':') && seg !== '*') apiSegments.add(seg);
  });

  const isApi = (req: FastifyRequest) => {
    const original = req.originalUrl ?? req.url;
    if (/^\/api(:|\/|\?|$)/.test(original)) return true;
    return apiSegments.has(firstSegment(req.url));
  };
  const wantsPage = (req: FastifyRequest) =>
    (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(String(req.headers.accept ?? '')) && !isApi(req);

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    if (staticDir && wantsPage(req)) return reply.type('text/html').sendFile('index.html');
    const path = req.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((m) => m !== req.method && app.findRoute({ method: m, url: path }));
    if (allowed.length && req.method !== 'OPTIONS') {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send(errorBody('method_not_allowed', `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}.`));
    }
    return reply.status(404).send(errorBody('route_not_found', `No route ${req.method} ${path}. See /docs for the API.`));
  });
}
