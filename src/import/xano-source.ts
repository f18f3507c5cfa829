/**
 * The Xano Metadata API as a Source: `GET /workspace/{ws}/table` for the tables, browse content
 * (`GET …/table/{id}/content?page=&per_page=`) for full passes, `POST …/content/search` with a
 * `$or` of `$gte` conditions for delta passes. 429 (after Retry-After), 5xx, dropped connections
 * and truncated bodies are retried with exponential back-off; the token only ever goes into the
 * Authorization header, never into a message.
 */
import { type PageOptions, type Source, SourceError, type SourcePage } from './source.ts';
import type { LegacyRow } from './types.ts';

export interface XanoOptions {
  url: string;
  workspace: string;
  token: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

interface XanoPage {
  items?: unknown;
  curPage?: number;
  nextPage?: number | null;
  itemsTotal?: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function xanoSource(opts: XanoOptions): Source {
  const base = `${opts.url.replace(/\/+$/, '')}/api:meta/workspace/${encodeURIComponent(opts.workspace)}`;
  const maxAttempts = opts.maxAttempts ?? 8;
  const sleep = opts.sleep ?? realSleep;
  let tableIds: Map<string, number> | null = null;

  async function call(path: string, body?: unknown): Promise<unknown> {
    let lastReason = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let delay = Math.min(10_000, (opts.baseDelayMs ?? 200) * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      try {
        const res = await fetch(`${base}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: {
            authorization: `Bearer ${opts.token}`,
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(60_000),
        });
        // The body is read whole before parsing: a connection dropped mid-page fails here and is retried.
        const text = await res.text();
        if (res.ok) return JSON.parse(text) as unknown;
        if (res.status === 401 || res.status === 403) throw new SourceError(`Xano refused the token (HTTP ${res.status}) for ${path}`);
        if (res.status === 404) throw new SourceError(`Xano answered 404 for ${path}: check --workspace and the table`);
        if (res.status !== 429 && res.status < 500) throw new SourceError(`Xano answered HTTP ${res.status} for ${path}`);
        const retryAfter = Number(res.headers.get('retry-after'));
        if (res.status === 429 && Number.isFinite(retryAfter) && retryAfter >= 0) delay = retryAfter * 1000;
        lastReason = `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof SourceError) throw err;
        lastReason = (err as Error).name === 'SyntaxError' ? 'truncated or invalid JSON' : `connection: ${(err as Error).message}`;
      }
      if (attempt < maxAttempts) {
        opts.onRetry?.({ attempt, delayMs: Math.round(delay), reason: lastReason });
        await sleep(delay);
      }
    }
    throw new SourceError(`Xano request ${path} failed after ${maxAttempts} attempts (${lastReason})`);
  }

  async function tables(): Promise<Map<string, number>> {
    if (tableIds) return tableIds;
    const found = new Map<string, number>();
    for (let page = 1; page <= 1000; page++) {
      const res = (await call(`/table?page=${page}&per_page=100`)) as XanoPage | unknown[];
      const items = Array.isArray(res) ? res : Array.isArray(res.items) ? res.items : [];
      for (const t of items as { id: number; name: string }[]) found.set(t.name, t.id);
      if (Array.isArray(res) || !res.nextPage) break;
    }
    tableIds = found;
    return found;
  }

  async function fetchPage(tableId: number, page: number, o: PageOptions): Promise<SourcePage & { next: number | null }> {
    const res = (
      o.since
        ? await call(`/table/${tableId}/content/search`, {
            page,
            per_page: o.perPage,
            sort: { id: 'asc' },
            search: { $or: o.changeColumns.map((c) => ({ [c]: { $gte: o.since?.getTime() } })) },
          })
        : await call(`/table/${tableId}/content?page=${page}&per_page=${o.perPage}`)
    ) as XanoPage;
    if (!Array.isArray(res.items)) throw new SourceError(`Xano content page ${page} has no items array`);
    const rows = res.items as LegacyRow[];
    return { rows, page: res.curPage ?? page, total: res.itemsTotal ?? rows.length, next: res.nextPage ?? null };
  }

  return {
    key: `xano:${new URL(opts.url).origin}/${opts.workspace}`,
    tables: async () => [...(await tables()).keys()],
    async *pages(table, o) {
      const tableId = (await tables()).get(table);
      if (tableId === undefined) throw new SourceError(`Xano workspace has no table ${table}`);
      // One page ahead: the next request is in flight while the caller writes this one.
      let pending = fetchPage(tableId, Math.max(1, o.fromPage), o);
      for (let guard = 0; guard < 10_000_000; guard++) {
        const cur = await pending;
        if (cur.next !== null) {
          pending = fetchPage(tableId, cur.next, o);
          pending.catch(() => {}); // awaited on the next turn; never an unhandled rejection if the caller stops
        }
        yield { rows: cur.rows, page: cur.page, total: cur.total };
        if (cur.next === null) return;
      }
    },
  };
}
