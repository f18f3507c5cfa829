/**
 * Import rules for src/ (issue #19), checked in CI by `npm run lint:deps`:
 * cli/main → app → routes → service → queries → db; adapters behind their interfaces.
 */
const ROUTES = '((^|/)app\\.ts$|routes\\.ts$|-routes\\.ts$)';
/**
 * Where Fastify may be imported: route files, the http kit, the server, and each domain's
 * request-side helpers — guards, cookies, the request/response schemas, streaming a file out.
 */
const HTTP_EDGE = `(${ROUTES}|^src/http/|^src/server\\.ts$|^src/main\\.ts$|(guard|cookies|schemas|shapes)\\.ts$|^src/media/serve\\.ts$|^src/admin-console/jira-webhook\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle ties its modules into one: none may be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'routes-are-leaves',
      severity: 'error',
      comment: 'Only the app and other route files register routes; a service or query never imports a route file.',
      from: { pathNot: `(${ROUTES}|^src/server\\.ts$)` },
      to: { path: ROUTES },
    },
    {
      name: 'routes-via-service',
      severity: 'error',
      comment:
        'A route parses, calls its service and shapes the reply; reads and writes go through the service, which owns the transaction.',
      from: { path: '(routes\\.ts$|-routes\\.ts$)' },
      to: { path: '(queries\\.ts$|-queries\\.ts$|^src/db/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      comment: 'Production modules never import the test kit.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-fastify-in-domain',
      severity: 'error',
      comment: 'Services, queries and adapters know nothing of HTTP: only routes and the http kit import Fastify.',
      from: { path: '^src/', pathNot: HTTP_EDGE },
      // @fastify/type-provider-typebox is TypeBox, the schema language of every shapes file: allowed.
      to: { path: '^node_modules/(fastify|@fastify/(?!type-provider-typebox))' },
    },
    {
      name: 'migrate-is-self-contained',
      severity: 'error',
      comment: 'The migration engine is a library: only src/migrate/database.ts (its database door) reaches outside src/migrate.',
      from: { path: '^src/migrate/', pathNot: '^src/migrate/database\\.ts$' },
      to: { path: '^src/(?!migrate/)' },
    },
    {
      name: 'migrate-via-index',
      severity: 'error',
      comment: 'The app uses the migration engine through its public surface, src/migrate/index.ts.',
      from: { path: '^src/(?!migrate/)' },
      to: { path: '^src/migrate/(?!index\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.test\\.ts$|test-helpers\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
