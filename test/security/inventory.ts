/**
 * The route inventory, from the two sources the policy table is compared with: the live router
 * (Fastify's route tree) and the OpenAPI document served at /docs/json.
 */
import type { App } from '../../src/http/app-type.ts';

export type RouteKey = `${string} ${string}`;

/**
 * Every METHOD + path the router serves, paths as registered (`/question/:id`, `/api/media/object/*`),
 * read from the radix tree (the flat `commonPrefix: false` rendering drops some wildcard routes).
 */
export function routerRoutes(app: App): Set<RouteKey> {
  const out = new Set<RouteKey>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: true }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const segment = m[2] === '(empty root node)' ? '' : (m[2] ?? '');
    const path = (stack[depth - 1] ?? '') + segment;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) if (method) out.add(`${method} ${path}`);
  }
  return out;
}

export interface DocOperation {
  parameters?: { in: string; name: string; required?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }>; required?: boolean };
  responses?: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  security?: unknown[];
}

/** OpenAPI path `/question/{id}` → router path `/question/:id` (and `{*}` → `*`). */
export const routerPath = (docPath: string) => docPath.replace(/\{\*\}/g, '*').replace(/\{([^}]+)\}/g, ':$1');

/** Operations of the OpenAPI document, keyed like the router. */
export function docsRoutes(doc: { paths: Record<string, Record<string, DocOperation>> }): Map<RouteKey, DocOperation> {
  const out = new Map<RouteKey, DocOperation>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) out.set(`${method.toUpperCase()} ${routerPath(path)}`, op);
  }
  return out;
}

/**
 * Routes the framework adds, which the table covers by rule rather than by entry: HEAD twins of
 * every GET (same handler, same access) and the CORS preflight.
 */
export function isFrameworkTwin(key: RouteKey, all: Set<RouteKey>): boolean {
  const [method, path] = key.split(' ') as [string, string];
  if (method === 'HEAD') return all.has(`GET ${path}`);
  return method === 'OPTIONS' && path === '*';
}
