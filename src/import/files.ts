/**
 * The legacy files behind the imported rows (issue #16, item 4). Every provider URL the rows name
 * (Cloudflare Stream videos, R2 objects, hosts given with --files-host) is recorded in
 * `import_file` with the rows that name it (`import_file_ref`): 'external' until copied. The copy
 * (`--copy-files`) streams each file through the SSRF guard into a temporary file while hashing
 * it, stores it through our Storage / VideoHost, checks the stored size, and then, in one
 * transaction, marks it copied and rewrites the rows to our URL. The status is the cursor: a killed
 * copy resumes with the files not yet copied, and a file that failed is retried on the next run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { hostAllowed, type SafeFetchOptions, safeFetch } from '../media/safe-fetch.ts';
import { isServableKey, objectUrl } from '../media/urls.ts';
import { contentTypeForKey } from '../storage/content-type.ts';
import { VIDEO_UID } from '../video/video-host.ts';
import { deepReplace, FILE_COLUMNS, type FileOwnerTable, urlsIn } from './file-urls.ts';

export type FileTarget = { kind: 'video' | 'object'; key: string; fetchUrl: string };

const STREAM_HOST = /(^|\.)cloudflarestream\.com$|^videodelivery\.net$/;
const R2_PUBLIC_HOST = /\.r2\.dev$/;
const R2_API_HOST = /\.r2\.cloudflarestorage\.com$/;

/** A host the legacy files may be fetched from (redirects included). */
const fileHost = (extraHosts: readonly string[]) => (host: string) =>
  STREAM_HOST.test(host) || R2_PUBLIC_HOST.test(host) || R2_API_HOST.test(host) || hostAllowed(extraHosts, host);

/**
 * Where a legacy URL's file comes from and where it lands: a Stream video keeps its uid (its MP4
 * download is fetched), an R2 object keeps its key (so `media_asset.asset_id` stays valid), a
 * file of another listed host goes under `imported/<host>/`. null = not a legacy file.
 */
export function classifyFileUrl(raw: string, extraHosts: readonly string[]): FileTarget | null {
  let u: URL;
  let parts: string[];
  try {
    u = new URL(raw);
    parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  const host = u.hostname.toLowerCase();
  if (STREAM_HOST.test(host)) {
    const uid = parts[0];
    return uid && VIDEO_UID.test(uid) ? { kind: 'video', key: uid, fetchUrl: `${u.origin}/${uid}/downloads/default.mp4` } : null;
  }
  let key: string[] | null = null;
  if (R2_PUBLIC_HOST.test(host)) key = parts;
  else if (R2_API_HOST.test(host))
    key = parts.slice(1); // path style: the first segment is the bucket
  else if (hostAllowed(extraHosts, host)) key = ['imported', host, ...parts];
  return key?.length ? { kind: 'object', key: key.join('/'), fetchUrl: u.toString() } : null;
}

interface FileFailure {
  url: string;
  owners: string[];
  error: string;
}

export interface FilesReport {
  /** Distinct legacy file URLs known for this source, and the rows naming them. */
  files: number;
  references: number;
  external: number;
  copied: number;
  failed: number;
  /** Copied in this run. */
  copiedNow: number;
  bytesNow: number;
  failures: FileFailure[];
  /** Why some files were not even tried (e.g. videos on Cloudflare Stream). */
  notes: string[];
}

const BATCH = 1000;

/**
 * Records every legacy file URL of the imported rows, with the rows naming it (keyset over each
 * table; idempotent). New files start 'external'.
 */
async function registerFiles(db: Db, source: string, extraHosts: readonly string[]): Promise<void> {
  for (const [table, columns] of Object.entries(FILE_COLUMNS) as [FileOwnerTable, readonly string[]][]) {
    let last = 0;
    for (;;) {
      const { rows } = await sql<{ id: number; t: string }>`
        SELECT id, concat_ws(' ', ${sql.join(columns.map((c) => sql`${sql.ref(c)}::text`))}) AS t
        FROM ${sql.table(table)} WHERE id > ${last} ORDER BY id LIMIT ${BATCH}`.execute(db);
      if (!rows.length) break;
      last = Number(rows.at(-1)?.id);
      const files = new Map<string, FileTarget>();
      const refs: { source_url: string; ref_id: number }[] = [];
      for (const r of rows)
        for (const url of urlsIn(r.t)) {
          const target = classifyFileUrl(url, extraHosts);
          if (!target) continue;
          files.set(url, target);
          refs.push({ source_url: url, ref_id: Number(r.id) });
        }
      if (!files.size) continue;
      const fileRows = [...files].map(([url, t]) => ({ source_url: url, kind: t.kind, target_key: t.key }));
      await db.transaction().execute(async (trx) => {
        await sql`INSERT INTO import_file (source, source_url, kind, target_key)
          SELECT ${source}, * FROM jsonb_to_recordset(${JSON.stringify(fileRows)}::jsonb) AS x(source_url text, kind text, target_key text)
          ON CONFLICT DO NOTHING`.execute(trx);
        await sql`INSERT INTO import_file_ref (source, source_url, ref_table, ref_id)
          SELECT ${source}, source_url, ${table}, ref_id FROM jsonb_to_recordset(${JSON.stringify(refs)}::jsonb) AS x(source_url text, ref_id bigint)
          ON CONFLICT DO NOTHING`.execute(trx);
      });
    }
  }
}

export interface CopyOptions {
  source: string;
  extraHosts: readonly string[];
  /** Files fetched at once (default 4). */
  concurrency?: number;
  /** Larger files fail with a reason (default 2 GiB). */
  maxBytes?: number;
  /** A file that failed this many times is left for an operator (default 5). */
  maxAttempts?: number;
  onProgress?: (p: { done: number; total: number; bytes: number; failed: number }) => void;
  /** Tests only: DNS and address overrides for the SSRF guard (a local file server). */
  fetch?: Pick<SafeFetchOptions, 'resolve' | 'allowAddress'>;
}

type CopyCtx = Pick<AppContext, 'db' | 'storage' | 'video' | 'config'>;

/** Copies the files not yet copied (see the header). Never throws for one file: it is marked failed. */
export async function copyFiles(ctx: CopyCtx, opts: CopyOptions): Promise<{ copied: number; bytes: number; notes: string[] }> {
  const notes: string[] = [];
  const kinds: ('video' | 'object')[] = ['object'];
  if (ctx.video.kind === 'local') kinds.push('video');
  else
    notes.push('videos stay on Cloudflare Stream (VIDEO_HOST=cloudflare-stream): point it at the legacy account, or copy them with Stream');
  const maxAttempts = opts.maxAttempts ?? 5;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const pending = () =>
    ctx.db
      .selectFrom('import_file')
      .where('source', '=', opts.source)
      .where('status', '<>', 'copied')
      .where('attempts', '<', maxAttempts)
      .where('kind', 'in', kinds);
  const total = Number(
    (
      await pending()
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const tmpDir = join(ctx.config.dataDir, 'tmp', 'import-files');
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  let after = '';
  const stats = { done: 0, total, bytes: 0, failed: 0, copied: 0 };
  for (;;) {
    const batch = await pending()
      .select(['source_url', 'kind', 'target_key'])
      .where('source_url', '>', after)
      .orderBy('source_url')
      .limit(concurrency * 16)
      .execute();
    if (!batch.length) break;
    after = batch.at(-1)?.source_url ?? after;
    let next = 0;
    const worker = async () => {
      for (let f = batch[next++]; f; f = batch[next++]) {
        const r = await copyOne(ctx, opts, tmpDir, f);
        stats.done++;
        if (r.ok) {
          stats.copied++;
          stats.bytes += r.size;
        } else stats.failed++;
        opts.onProgress?.(stats);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  return { copied: stats.copied, bytes: stats.bytes, notes };
}

type Outcome = { ok: true; size: number } | { ok: false };

async function copyOne(
  ctx: CopyCtx,
  opts: CopyOptions,
  tmpDir: string,
  f: { source_url: string; kind: 'video' | 'object'; target_key: string },
): Promise<Outcome> {
  const tmp = join(tmpDir, randomBytes(12).toString('hex'));
  try {
    const target = classifyFileUrl(f.source_url, opts.extraHosts);
    if (!target) throw new Error('the URL is no longer a file of a listed host');
    if (target.kind === 'object' && !isServableKey(target.key))
      throw new Error(`the key ${JSON.stringify(target.key)} cannot be stored as is`);
    const { size, sha256, contentType } = await download(target.fetchUrl, tmp, opts);
    const stored = async () => {
      if (target.kind === 'video') {
        await ctx.video.adopt(target.key, createReadStream(tmp), { contentType, size });
        return (await ctx.video.status(target.key))?.size;
      }
      await ctx.storage.put(target.key, createReadStream(tmp), { contentType, size });
      return (await ctx.storage.head(target.key))?.size;
    };
    const storedSize = await stored();
    if (storedSize !== size) throw new Error(`stored ${storedSize ?? 'nothing'} bytes of ${size}`);
    const url = target.kind === 'video' ? ctx.video.playbackUrl(target.key) : objectUrl(ctx, target.key);
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('import_file')
        .set((e) => ({
          status: 'copied',
          target_url: url,
          sha256,
          size,
          error: null,
          attempts: e('attempts', '+', 1),
          updated_at: new Date(),
        }))
        .where('source', '=', opts.source)
        .where('source_url', '=', f.source_url)
        .execute();
      await rewriteOwners(trx, opts.source, new Map([[f.source_url, url]]));
    });
    return { ok: true, size };
  } catch (err) {
    await markFailed(ctx.db, opts.source, f.source_url, (err as Error).message);
    return { ok: false };
  } finally {
    await rm(tmp, { force: true });
  }
}

async function download(url: string, tmp: string, opts: CopyOptions) {
  const max = opts.maxBytes ?? 2 * 1024 ** 3;
  const res = await safeFetch(url, { allowHost: fileHost(opts.extraHosts), timeoutMs: 30_000, maxRedirects: 5, ...opts.fetch });
  if (res.status !== 200) {
    res.body.resume();
    throw new Error(`${url} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers['content-length'] ?? Number.NaN);
  if (declared > max) {
    res.body.destroy();
    throw new Error(`${declared} bytes is over the limit of ${max}`);
  }
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > max) return cb(new Error(`over the limit of ${max} bytes`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(res.body, meter, createWriteStream(tmp, { mode: 0o600 }));
  if (Number.isFinite(declared) && declared !== size) throw new Error(`received ${size} of ${declared} bytes`);
  const type = String(res.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  const key = new URL(url).pathname;
  return { size, sha256: hash.digest('hex'), contentType: type && type !== 'application/octet-stream' ? type : contentTypeForKey(key) };
}

async function markFailed(db: Db, source: string, url: string, error: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('import_file')
      .set((e) => ({ status: 'failed', error, attempts: e('attempts', '+', 1), updated_at: new Date() }))
      .where('source', '=', source)
      .where('source_url', '=', url)
      .execute();
    // The owner rows carry the report too (`import_issue`), so the operator sees whose file it was.
    await sql`INSERT INTO import_issue (source, table_name, legacy_id, kind, detail)
      SELECT source, ref_table, ref_id::text, 'file_not_fetched', ${`${url}: ${error}`}
      FROM import_file_ref WHERE source = ${source} AND source_url = ${url}
      ON CONFLICT ON CONSTRAINT import_issue_row_key DO UPDATE SET detail = EXCLUDED.detail`.execute(trx);
  });
}

/** Rewrites, in the rows naming them, each source URL to its copy. */
async function rewriteOwners(trx: Db, source: string, copies: Map<string, string>): Promise<void> {
  const refs = await trx
    .selectFrom('import_file_ref')
    .select(['ref_table', 'ref_id', 'source_url'])
    .where('source', '=', source)
    .where('source_url', 'in', [...copies.keys()])
    .orderBy('ref_table')
    .orderBy('ref_id')
    .execute();
  for (const ref of refs) {
    const cols = FILE_COLUMNS[ref.ref_table];
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${sql.join(cols.map((c) => sql.ref(c)))} FROM ${sql.table(ref.ref_table)} WHERE id = ${ref.ref_id} FOR UPDATE`.execute(trx);
    const row = rows[0];
    if (!row) continue; // erased since the import
    const sets = cols.flatMap((c) => {
      const v = deepReplace(row[c], copies);
      if (v === row[c]) return [];
      return [typeof v === 'string' ? sql`${sql.ref(c)} = ${v}` : sql`${sql.ref(c)} = ${JSON.stringify(v)}::jsonb`];
    });
    if (sets.length) await sql`UPDATE ${sql.table(ref.ref_table)} SET ${sql.join(sets)} WHERE id = ${ref.ref_id}`.execute(trx);
  }
  await sql`DELETE FROM import_issue i USING import_file_ref r
    WHERE r.source = ${source} AND r.source_url = ANY(${[...copies.keys()]}::text[])
      AND i.source = r.source AND i.table_name = r.ref_table AND i.legacy_id = r.ref_id::text AND i.kind = 'file_not_fetched'`.execute(trx);
}

/** The file section of the import report, from the tables (so it is right after a resume too). */
async function filesReport(db: Db, source: string, copied: { copied: number; bytes: number; notes: string[] }): Promise<FilesReport> {
  const { rows } = await sql<{ status: string; n: number }>`
    SELECT status, count(*)::int AS n FROM import_file WHERE source = ${source} GROUP BY status`.execute(db);
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const refs = await db
    .selectFrom('import_file_ref')
    .select((e) => e.fn.countAll().as('n'))
    .where('source', '=', source)
    .executeTakeFirst();
  const { rows: failures } = await sql<{ url: string; error: string; owners: string[] }>`
    SELECT f.source_url AS url, f.error, array_agg(r.ref_table || ' ' || r.ref_id ORDER BY r.ref_table, r.ref_id) AS owners
    FROM import_file f JOIN import_file_ref r USING (source, source_url)
    WHERE f.source = ${source} AND f.status = 'failed' GROUP BY f.source_url, f.error ORDER BY f.source_url LIMIT 20`.execute(db);
  return {
    files: (by.external ?? 0) + (by.copied ?? 0) + (by.failed ?? 0),
    references: Number(refs?.n ?? 0),
    external: by.external ?? 0,
    copied: by.copied ?? 0,
    failed: by.failed ?? 0,
    copiedNow: copied.copied,
    bytesNow: copied.bytes,
    failures: failures.map((f) => ({ url: f.url, owners: f.owners, error: f.error })),
    notes: copied.notes,
  };
}

/** After the tables: record the files, copy them when asked, and report (files of Xano/CSV sources). */
export async function syncFiles(ctx: CopyCtx, opts: CopyOptions & { copy: boolean }): Promise<FilesReport> {
  await registerFiles(ctx.db, opts.source, opts.extraHosts);
  const copied = opts.copy ? await copyFiles(ctx, opts) : { copied: 0, bytes: 0, notes: [] };
  return filesReport(ctx.db, opts.source, copied);
}

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;

export function formatFiles(r: FilesReport): string[] {
  const out = [
    '',
    `Files: ${r.files} legacy file URLs (${r.references} references): ${r.copied} copied (${r.copiedNow} now, ${mb(r.bytesNow)}), ${r.external} external, ${r.failed} failed`,
  ];
  if (r.external) out.push('  external files are still served by the legacy providers; --copy-files copies them into our storage');
  for (const n of r.notes) out.push(`  note: ${n}`);
  for (const f of r.failures) out.push(`  not fetched: ${f.url} (${f.owners.join(', ')}): ${f.error}`);
  if (r.failed > r.failures.length)
    out.push(`  … ${r.failed - r.failures.length} more failed files: SELECT * FROM import_file WHERE status = 'failed'`);
  return out;
}
