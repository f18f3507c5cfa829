/**
 * The admin app's PostgreSQL (legacy-admin-contract.md §4) as a Source. Its keys are uuids, so
 * rows are ordered by (time, key) and numbered: `id` is that ordinal (the import's cursor) and
 * `_key` the legacy key; our ids come from import_key_map (map-admin.ts).
 */
import pg from 'pg';
import { type Source, SourceError } from './source.ts';
import type { LegacyRow } from './types.ts';

/** Legacy table → the column that orders it and its key expression. */
const ADMIN_TABLES: Record<string, { time: string; key: string }> = {
  admin_users: { time: 'created_at', key: 'id::text' },
  feature_flags: { time: 'created_at', key: 'id::text' },
  feature_flag_audit: { time: 'created_at', key: 'id::text' },
  admin_audit_log: { time: 'created_at', key: 'id::text' },
  feedback: { time: 'created_at', key: 'id::text' },
  feedback_attachments: { time: 'uploaded_at', key: 'id::text' },
  feedback_comments: { time: 'created_at', key: 'id::text' },
  feedback_tags: { time: 'created_at', key: 'id::text' },
  // A link table: its key is the pair it links.
  feedback_tag_assignments: { time: 'assigned_at', key: "feedback_id::text || ':' || tag_id::text" },
};

export function adminSource(url: string): Source {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new SourceError('--admin-database-url must be a postgres:// URL');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  const u = new URL(url);
  return {
    key: `admin-pg:${u.host}${u.pathname}`,
    async tables() {
      const { rows } = await pool.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
        [Object.keys(ADMIN_TABLES)],
      );
      return rows.map((r) => r.name);
    },
    async *pages(table, o) {
      const t = ADMIN_TABLES[table];
      if (!t) throw new SourceError(`not an admin table: ${table}`);
      const where = o.since ? `WHERE ${t.time} >= $1` : '';
      const params = o.since ? [o.since] : [];
      const { rows: c } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" ${where}`, params);
      const total = Number(c[0]?.n ?? 0);
      for (let page = Math.max(1, o.fromPage); (page - 1) * o.perPage < total || page === 1; page++) {
        const { rows } = await pool.query<LegacyRow>(
          `SELECT x.* FROM (SELECT t.*, ${t.key} AS "_key", row_number() OVER (ORDER BY ${t.time}, ${t.key}) AS "_n" FROM "${table}" t ${where}) x
           ORDER BY "_n" OFFSET ${(page - 1) * o.perPage} LIMIT ${o.perPage}`,
          params,
        );
        yield { rows: rows.map(({ _n, ...r }) => ({ ...r, id: Number(_n), legacy_id: r.id })), page, total };
        if (page * o.perPage >= total) return;
      }
    },
    close: () => pool.end(),
  };
}
