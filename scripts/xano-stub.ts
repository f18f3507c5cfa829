/**
 * A local stand-in for the Xano Metadata API (`<origin>/api:meta`), serving a generated legacy
 * workspace (scripts/xano-fixture.ts). It pages like Xano (curPage, nextPage null on the last
 * page, prevPage, offset, perPage, itemsReceived, itemsTotal, pageTotal), checks the bearer token,
 * and can misbehave on purpose: 429 with Retry-After, a 5xx, or a connection dropped in the
 * middle of a page, each every N-th content request. Also usable by hand:
 *
 *   node scripts/xano-stub.ts --port 8787 --questions 200 --token secret [--rate-limit-every 7] [--error-every 11] [--drop-every 13]
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { type Row, row, type Shape, shape, tableCount, XANO_TABLES, type XanoTable } from './xano-fixture.ts';

export interface StubOptions {
  questions: number;
  token: string;
  workspaceId?: number;
  /** Every N-th content request answers 429 with Retry-After (0 = never). */
  rateLimitEvery?: number;
  /** Every N-th content request answers 502 (0 = never). */
  errorEvery?: number;
  /** Every N-th content request sends half a page and destroys the socket (0 = never). */
  dropEvery?: number;
  /** Retry-After value in seconds (fractions allowed, to keep tests fast). */
  retryAfterSeconds?: number;
  maxPerPage?: number;
  /** Milliseconds each content request waits before answering (to slow a run down in tests). */
  latencyMs?: number;
  /**
   * Also serve the legacy files: the rows' Cloudflare Stream and R2 URLs are rewritten to
   * `http://<same host>:<stub port>` (point those names at 127.0.0.1) and answered with
   * deterministic bytes (`stubFileBytes`); paths listed in `missingFiles` answer 404.
   */
  serveFiles?: boolean;
  missingFiles?: string[];
}

/** The legacy providers' hosts of the fixture (scripts/xano-fixture.ts). */
export const FIXTURE_FILE_HOSTS = ['customer-o9wvts8h9krvlboh.cloudflarestream.com', 'pub-legacy.r2.dev'];

/** What the stub serves for a file path: a few KB derived from the path, so copies can be checked. */
export const stubFileBytes = (path: string) => Buffer.from(`${path}\n`.repeat(64));

export interface XanoStub {
  url: string;
  server: Server;
  shape: Shape;
  requests: { content: number; rateLimited: number; errors: number; drops: number; unauthorized: number; files: number };
  /** Changes a row (its later reads carry the patch), as the live system would. */
  patch(table: XanoTable, id: number, values: Row): void;
  /** Appends a row with the next id; returns the id. */
  add(table: XanoTable, values: Row): number;
  setFaults(f: Pick<StubOptions, 'rateLimitEvery' | 'errorEvery' | 'dropEvery'>): void;
  close(): Promise<void>;
}

const SCHEMA_TYPES: Record<string, string> = {
  id: 'int',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  attachments: 'text',
  metadata: 'json',
};

export async function startXanoStub(opts: StubOptions, port = 0): Promise<XanoStub> {
  const s = shape(opts.questions);
  const ws = opts.workspaceId ?? 1;
  const patches = new Map<string, Row>();
  const added = new Map<XanoTable, Row[]>();
  const faults = { rateLimitEvery: opts.rateLimitEvery ?? 0, errorEvery: opts.errorEvery ?? 0, dropEvery: opts.dropEvery ?? 0 };
  const requests = { content: 0, rateLimited: 0, errors: 0, drops: 0, unauthorized: 0, files: 0 };
  let filesPort = 0;
  const maxPerPage = opts.maxPerPage ?? 10_000;

  const count = (t: XanoTable) => tableCount(s, t) + (added.get(t)?.length ?? 0);
  const get = (t: XanoTable, id: number): Row | undefined => {
    const base = id <= tableCount(s, t) ? row(s, t, id) : added.get(t)?.[id - tableCount(s, t) - 1];
    const p = patches.get(`${t}:${id}`);
    const r = base && p ? { ...base, ...p } : base;
    if (!r || !opts.serveFiles) return r;
    let text = JSON.stringify(r);
    for (const host of FIXTURE_FILE_HOSTS) text = text.replaceAll(`https://${host}/`, `http://${host}:${filesPort}/`);
    return JSON.parse(text) as Row;
  };

  function page(items: Row[], total: number, curPage: number, perPage: number) {
    const pageTotal = Math.max(1, Math.ceil(total / perPage));
    return {
      items,
      itemsReceived: items.length,
      curPage,
      nextPage: curPage < pageTotal ? curPage + 1 : null,
      prevPage: curPage > 1 ? curPage - 1 : null,
      offset: (curPage - 1) * perPage,
      perPage,
      itemsTotal: total,
      pageTotal,
    };
  }

  function paging(u: URL, body: Record<string, unknown> = {}) {
    const p = Number(body.page ?? u.searchParams.get('page') ?? 1);
    const pp = Number(body.per_page ?? u.searchParams.get('per_page') ?? 100);
    return { p: Number.isInteger(p) && p >= 1 ? p : 1, pp: Number.isInteger(pp) && pp >= 1 ? Math.min(pp, maxPerPage) : 100 };
  }

  /** `search: { $or: [{ column: { $gte: ms } }, …] }`: rows any of whose columns is at or after the bound. */
  function matches(r: Row, search: unknown): boolean {
    const terms = (search as { $or?: Record<string, { $gte?: number }>[] } | undefined)?.$or;
    if (!terms) return true;
    return terms.some((t) => Object.entries(t).some(([col, cond]) => typeof r[col] === 'number' && (r[col] as number) >= (cond.$gte ?? 0)));
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    let text = '';
    for await (const chunk of req) text += chunk;
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://stub');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (opts.serveFiles && FIXTURE_FILE_HOSTS.includes(host)) {
      requests.files++;
      if (req.method !== 'GET' || opts.missingFiles?.includes(u.pathname)) return send(res, 404, { message: 'Object not found' });
      const bytes = stubFileBytes(u.pathname);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
      return res.end(bytes);
    }
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      requests.unauthorized++;
      return send(res, 401, { code: 'ERROR_CODE_UNAUTHORIZED', message: 'Invalid token.' });
    }
    const parts = u.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api:meta') return send(res, 404, { message: 'Not found' });
    if (parts.length === 2 && parts[1] === 'workspace') return send(res, 200, [{ id: ws, name: 'mindPick', description: 'legacy' }]);
    if (parts[1] !== 'workspace' || Number(parts[2]) !== ws)
      return send(res, 404, { code: 'ERROR_CODE_NOT_FOUND', message: 'Workspace not found.' });
    if (parts.length === 4 && parts[3] === 'table') {
      const { p, pp } = paging(u);
      const all = XANO_TABLES.map((name, i) => ({ id: 100 + i, name: name, description: '' }));
      return send(res, 200, page(all.slice((p - 1) * pp, p * pp), all.length, p, pp));
    }
    const table = XANO_TABLES[Number(parts[4]) - 100];
    if (parts[3] !== 'table' || !table) return send(res, 404, { code: 'ERROR_CODE_NOT_FOUND', message: 'Table not found.' });
    if (parts[5] === 'schema') {
      const sample = get(table, 1) ?? { id: 1 };
      return send(
        res,
        200,
        Object.keys(sample).map((name) => ({ name, type: SCHEMA_TYPES[name] ?? 'text', nullable: name !== 'id' })),
      );
    }
    if (parts[5] !== 'content') return send(res, 404, { message: 'Not found' });

    requests.content++;
    const n = requests.content;
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    if (faults.rateLimitEvery && n % faults.rateLimitEvery === 0) {
      requests.rateLimited++;
      return send(
        res,
        429,
        { code: 'ERROR_CODE_TOO_MANY_REQUESTS', message: 'Too many requests.' },
        { 'retry-after': String(opts.retryAfterSeconds ?? 0.05) },
      );
    }
    if (faults.errorEvery && n % faults.errorEvery === 0) {
      requests.errors++;
      return send(res, 502, { message: 'Bad gateway' });
    }
    const search = parts[6] === 'search' && req.method === 'POST';
    const body = search ? await readBody(req) : {};
    const { p, pp } = paging(u, body);
    let items: Row[];
    let total: number;
    if (search) {
      // A scan: delta searches run on small windows; the bulk import uses plain browsing.
      const hits: Row[] = [];
      for (let id = 1; id <= count(table); id++) {
        const r = get(table, id);
        if (r && matches(r, body.search)) hits.push(r);
      }
      total = hits.length;
      items = hits.slice((p - 1) * pp, p * pp);
    } else {
      total = count(table);
      items = [];
      for (let id = (p - 1) * pp + 1; id <= Math.min(total, p * pp); id++) {
        const r = get(table, id);
        if (r) items.push(r);
      }
    }
    const payload = JSON.stringify(page(items, total, p, pp));
    if (faults.dropEvery && n % faults.dropEvery === 0) {
      requests.drops++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
      res.write(payload.slice(0, Math.floor(payload.length / 2)));
      setTimeout(() => res.destroy(), 5);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { message: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  filesPort = bound;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    shape: s,
    requests,
    patch: (t, id, values) => patches.set(`${t}:${id}`, { ...patches.get(`${t}:${id}`), ...values }),
    add(t, values) {
      const list = added.get(t) ?? [];
      const id = count(t) + 1;
      list.push({ ...values, id });
      added.set(t, list);
      return id;
    },
    setFaults: (f) => Object.assign(faults, f),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      questions: { type: 'string', default: '200' },
      token: { type: 'string', default: 'stub-token' },
      'rate-limit-every': { type: 'string', default: '0' },
      'error-every': { type: 'string', default: '0' },
      'drop-every': { type: 'string', default: '0' },
    },
  });
  const stub = await startXanoStub(
    {
      questions: Number(values.questions),
      token: String(values.token),
      rateLimitEvery: Number(values['rate-limit-every']),
      errorEvery: Number(values['error-every']),
      dropEvery: Number(values['drop-every']),
      retryAfterSeconds: 1,
    },
    Number(values.port),
  );
  console.log(`Xano Metadata API stub on ${stub.url}/api:meta (workspace 1, ${stub.shape.questions} questions); token "${values.token}"`);
}
