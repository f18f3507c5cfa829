/**
 * Where imported rows name files, and how a mapped row picks up the copies: the import and
 * `import verify` both map through `withCopiedUrls`, so once a file is copied (src/import/files.ts)
 * a re-import leaves the rewritten row as it is and verify compares against the rewritten value.
 */
import type { Db } from '../db/index.ts';
import type { TableSpec } from './types.ts';

/** Our tables and columns that hold legacy file URLs (text, or jsonb with URLs inside). */
export const FILE_COLUMNS = {
  media_asset: ['url', 'metadata'],
  question: ['attachments'],
  answer: ['attachments'],
  expert_profile: ['avatar_url'],
} as const satisfies Record<string, readonly string[]>;

export type FileOwnerTable = keyof typeof FILE_COLUMNS;

/** Every http(s) URL in a text (a column value or JSON text; quotes and escapes end a URL). */
export function urlsIn(text: string | null | undefined): string[] {
  return text ? [...new Set(text.match(/https?:\/\/[^\s"\\<>]+/g) ?? [])] : [];
}

/** `value` with every string equal to a key of `map` replaced; the same object when nothing matched. */
export function deepReplace<T>(value: T, map: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return (map.get(value) ?? value) as T;
  if (Array.isArray(value)) {
    const next = value.map((v) => deepReplace(v, map));
    return (next.some((v, i) => v !== value[i]) ? next : value) as T;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>);
    const next = entries.map(([k, v]) => [k, deepReplace(v, map)] as const);
    return (next.some(([, v], i) => v !== entries[i]?.[1]) ? Object.fromEntries(next) : value) as T;
  }
  return value;
}

async function copiesFor(db: Db, source: string, urls: string[]): Promise<Map<string, string>> {
  if (!urls.length) return new Map();
  const rows = await db
    .selectFrom('import_file')
    .select(['source_url', 'target_url'])
    .where('source', '=', source)
    .where('status', '=', 'copied')
    .where('source_url', 'in', urls)
    .execute();
  return new Map(rows.flatMap((r) => (r.target_url ? [[r.source_url, r.target_url] as const] : [])));
}

/** The spec, mapping legacy file URLs already copied to our URLs (tables without files unchanged). */
export function withCopiedUrls<L>(spec: TableSpec<L>): TableSpec<L> | TableSpec<{ inner: L; copies: Map<string, string> }> {
  if (!(spec.target in FILE_COLUMNS)) return spec;
  const wrapped: TableSpec<{ inner: L; copies: Map<string, string> }> = {
    ...spec,
    async prepare(db, rows, source) {
      // One after the other: in a dry run both share the one transaction's connection.
      const inner = await spec.prepare(db, rows, source);
      return { inner, copies: await copiesFor(db, source, urlsIn(JSON.stringify(rows))) };
    },
    map(row, { inner, copies }) {
      const m = spec.map(row, inner);
      return m.ok && copies.size ? { ...m, row: deepReplace(m.row, copies) } : m;
    },
  };
  return wrapped;
}
