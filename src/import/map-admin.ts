/** The admin app's tables (uuid keys) → ours (bigint ids through import_key_map). */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { bool, id, int, type Repair, stamps, str, ts } from './convert.ts';
import { existing } from './lookups.ts';
import { mapRow } from './row-map.ts';
import type { ColumnKind, Issue, LegacyRow, MapResult, TableSpec } from './types.ts';

type Keys = Map<string, number>;

async function keyMap(db: Db, source: string, table: string, keys: (string | null)[]): Promise<Keys> {
  const want = [...new Set(keys.filter((k): k is string => Boolean(k)))];
  if (!want.length) return new Map();
  const found = await db
    .selectFrom('import_key_map')
    .select(['legacy_key', 'id'])
    .where('source', '=', source)
    .where('table_name', '=', table)
    .where('legacy_key', 'in', want)
    .execute();
  return new Map(found.map((f) => [f.legacy_key, Number(f.id)]));
}

/** Our ids for the legacy keys a column of these rows names (a parent's uuid → its id here). */
const refKeys = (db: Db, source: string, table: string, rows: LegacyRow[], column: string) =>
  keyMap(
    db,
    source,
    table,
    rows.map((r) => str(r[column])),
  );

/**
 * One column of the parents these keys found, by our id: what a child row copies from its parent
 * (a flag's key, a feedback's time), read in the same page's lookup so `map` stays pure.
 */
async function columnById<T>(db: Db, table: string, column: string, keys: Keys): Promise<Map<number, T>> {
  if (!keys.size) return new Map();
  const { rows } = await sql<{ id: number; v: T }>`
    SELECT id, ${sql.ref(column)} AS v FROM ${sql.table(table)} WHERE id = ANY(${[...keys.values()]}::bigint[])`.execute(db);
  return new Map(rows.map((r) => [Number(r.id), r.v]));
}

/** Our ids for this page's rows: the mapped ones, and fresh ids from the table's sequence for new rows. */
async function ownIds(db: Db, source: string, spec: { legacy: string; target: string }, rows: LegacyRow[]): Promise<Keys> {
  const keys = rows.map((r) => str(r._key));
  const known = await keyMap(db, source, spec.legacy, keys);
  const fresh = [...new Set(keys.filter((k): k is string => Boolean(k) && !known.has(k as string)))];
  if (fresh.length) {
    const { rows: ids } = await sql<{
      id: number;
    }>`SELECT nextval(pg_get_serial_sequence(${`"${spec.target}"`}, 'id')) AS id FROM generate_series(1, ${fresh.length})`.execute(db);
    for (const [i, k] of fresh.entries()) known.set(k, Number(ids[i]?.id));
  }
  return known;
}

interface AdminLookup {
  own: Keys;
  admins: Keys;
  feedback: Keys;
  flags: Keys;
  flagKeys: Map<number, string>;
  users: Set<number>;
}

interface AdminSpecDef {
  legacy: string;
  target: string;
  columns: Record<string, ColumnKind>;
  time: string;
  map(r: LegacyRow, l: AdminLookup, ownId: number, repair: Repair, issues: Issue[]): Record<string, unknown> | string;
}

function adminSpec(def: AdminSpecDef): TableSpec<AdminLookup> {
  return {
    legacy: def.legacy,
    target: def.target,
    columns: def.columns,
    changeColumns: [def.time],
    async prepare(db, rows, source) {
      const flags = await refKeys(db, source, 'feature_flags', rows, 'flag_id');
      return {
        flagKeys: await columnById<string>(db, 'feature_flags', 'key', flags),
        own: await ownIds(db, source, def, rows),
        admins: await refKeys(db, source, 'admin_users', rows, 'admin_user_id'),
        feedback: await refKeys(db, source, 'feedback', rows, 'feedback_id'),
        flags,
        users: await existing(
          db,
          'user',
          rows.map((r) => id(r.xano_user_id ?? r.user_id)),
        ),
      };
    },
    map: (r, look) => mapRow(look.own.get(String(r._key)), 'no key', (ownId, repair, issues) => def.map(r, look, ownId, repair, issues)),
    async afterBatch(db, rows, source, legacy) {
      if (!rows.length) return;
      await db
        .insertInto('import_key_map')
        .values(rows.map((row, i) => ({ source, table_name: def.legacy, legacy_key: String(legacy[i]?._key), id: Number(row.id) })))
        .onConflict((oc) => oc.columns(['source', 'table_name', 'legacy_key']).doNothing())
        .execute();
    },
  };
}

const ref = (keys: Keys, v: unknown, what: string, repair: Repair, issues: Issue[]) => {
  const k = str(v);
  if (!k) return null;
  const found = keys.get(k);
  if (found === undefined) {
    repair(`${what} points at a missing row → null`);
    issues.push({ kind: 'dangling_fk', detail: `${what} ${k} does not exist` });
  }
  return found ?? null;
};
const json = (v: unknown) =>
  typeof v === 'string'
    ? (() => {
        try {
          return JSON.parse(v) as unknown;
        } catch {
          return v;
        }
      })()
    : (v ?? null);

/** `feedback_tag_assignments` → `feedback_tag_link`: no id of its own, keyed by the pair it links. */
const tagAssignments: TableSpec<{ feedback: Keys; tags: Keys; feedbackTimes: Map<number, Date> }> = {
  legacy: 'feedback_tag_assignments',
  target: 'feedback_tag_link',
  key: ['feedback_id', 'tag_id'],
  columns: { feedback_id: 'int', tag_id: 'int', created_at: 'ts' },
  changeColumns: ['assigned_at'],
  async prepare(db, rows, source) {
    const feedback = await refKeys(db, source, 'feedback', rows, 'feedback_id');
    return {
      feedback,
      feedbackTimes: await columnById<Date>(db, 'feedback', 'created_at', feedback),
      tags: await refKeys(db, source, 'feedback_tags', rows, 'tag_id'),
    };
  },
  map(r, l): MapResult {
    const feedback = l.feedback.get(String(r.feedback_id));
    if (feedback === undefined) return { ok: false, reason: `feedback_id ${r.feedback_id} points at a missing or rejected feedback` };
    const tag = l.tags.get(String(r.tag_id));
    if (tag === undefined) return { ok: false, reason: `tag_id ${r.tag_id} points at a missing or rejected tag` };
    const repairs = r.assigned_by === null || r.assigned_by === undefined ? [] : ['assigned_by dropped (a tag link records no admin)'];
    let at = ts(r.assigned_at);
    if (!at) {
      // The same time on every run, so a re-import changes nothing.
      at = ts(l.feedbackTimes.get(feedback)) ?? new Date(0).toISOString();
      repairs.push("missing assigned_at → the feedback's time");
    }
    return { ok: true, row: { feedback_id: feedback, tag_id: tag, created_at: at }, repairs, issues: [] };
  },
};

export const ADMIN_SPECS = [
  adminSpec({
    legacy: 'admin_users',
    target: 'admin_users',
    time: 'created_at',
    columns: { id: 'int', user_id: 'int', role: 'text', disabled: 'bool', token_version: 'int', created_at: 'ts', updated_at: 'ts' },
    map(r, l) {
      const user = id(r.xano_user_id);
      if (user === null || !l.users.has(user))
        return `xano_user_id ${JSON.stringify(r.xano_user_id)} is not an imported user (a temp_ placeholder never linked)`;
      if (r.role !== 'super_admin' && r.role !== 'support_admin') return `unknown role ${JSON.stringify(r.role)}`;
      return {
        user_id: user,
        role: r.role,
        disabled: bool(r.disabled, false),
        token_version: int(r.token_version) ?? 0,
        ...stamps(r),
      };
    },
  }),
  adminSpec({
    legacy: 'feature_flags',
    target: 'feature_flags',
    time: 'created_at',
    columns: {
      id: 'int',
      key: 'text',
      name: 'text',
      description: 'text',
      enabled: 'bool',
      min_plan_level: 'int',
      created_at: 'ts',
      updated_at: 'ts',
    },
    map(r, _l, _id, repair) {
      if (r.rollout_percentage !== undefined && r.rollout_percentage !== null) repair('rollout_percentage (deprecated) dropped');
      return {
        key: str(r.key),
        name: str(r.name),
        description: str(r.description) ?? '',
        enabled: bool(r.enabled, false),
        min_plan_level: int(r.min_plan_level) ?? 0,
        ...stamps(r),
      };
    },
  }),
  adminSpec({
    legacy: 'feature_flag_audit',
    target: 'feature_flag_audit',
    time: 'created_at',
    columns: {
      id: 'int',
      flag_id: 'int',
      flag_key: 'text',
      action: 'text',
      admin_user_id: 'int',
      before: 'json',
      after: 'json',
      created_at: 'ts',
    },
    map(r, l, _id, repair, issues) {
      const flag = ref(l.flags, r.flag_id, 'flag_id', repair, issues);
      const key = flag === null ? null : l.flagKeys.get(flag);
      if (!key) return 'flag_id points at a missing flag (its key is unknown)';
      const action = str(r.action);
      if (action !== 'create' && action !== 'update' && action !== 'delete') return `unknown action ${JSON.stringify(r.action)}`;
      return {
        flag_id: flag,
        flag_key: key,
        action,
        admin_user_id: ref(l.admins, r.admin_user_id, 'admin_user_id', repair, issues),
        before: json(r.old_value),
        after: json(r.new_value),
        created_at: ts(r.created_at),
      };
    },
  }),
  adminSpec({
    legacy: 'admin_audit_log',
    target: 'admin_audit_log',
    time: 'created_at',
    columns: {
      id: 'int',
      admin_user_id: 'int',
      actor: 'text',
      action: 'text',
      target_type: 'text',
      target_id: 'text',
      details: 'json',
      request_id: 'text',
      created_at: 'ts',
    },
    map(r, l, _id, repair, issues) {
      const admin = ref(l.admins, r.admin_user_id, 'admin_user_id', repair, issues);
      if (!str(r.action)) return 'missing action';
      // The legacy log kept before/after as JSON strings; ours keeps them in details.
      return {
        admin_user_id: admin,
        actor: admin === null ? 'legacy-admin' : `admin:${admin}`,
        action: str(r.action),
        target_type: str(r.resource_type),
        target_id: str(r.resource_id),
        details: { before: json(r.before_data), after: json(r.after_data), legacy: true },
        request_id: null,
        created_at: ts(r.created_at),
      };
    },
  }),
  adminSpec({
    legacy: 'feedback',
    target: 'feedback',
    time: 'created_at',
    columns: {
      id: 'int',
      type: 'text',
      message: 'text',
      rating: 'int',
      email: 'text',
      wants_followup: 'bool',
      session_id: 'text',
      page_url: 'text',
      user_agent: 'text',
      user_id: 'int',
      context: 'json',
      status: 'text',
      priority: 'text',
      jira_issue_key: 'text',
      assigned_admin_id: 'int',
      resolved_at: 'ts',
      deleted_at: 'ts',
      created_at: 'ts',
      updated_at: 'ts',
    },
    map(r, l, _id, repair, issues) {
      const user = id(r.user_id);
      if (user !== null && !l.users.has(user)) {
        repair('user_id (self-asserted) of no imported user → null');
        issues.push({ kind: 'dangling_fk', detail: `user_id ${user} does not exist` });
      }
      if (r.assigned_to !== null && r.assigned_to !== undefined) repair('assigned_to (an int, not an admin uuid) dropped');
      const known = new Set([
        'id',
        '_key',
        'legacy_id',
        'type',
        'message',
        'rating',
        'email',
        'wants_followup',
        'session_id',
        'page_url',
        'user_agent',
        'user_id',
        'status',
        'priority',
        'jira_ticket_key',
        'assigned_to',
        'resolved_at',
        'deleted_at',
        'created_at',
        'updated_at',
      ]);
      const context = Object.fromEntries(
        Object.entries(r)
          .filter(([k, v]) => !known.has(k) && v !== null && v !== undefined)
          .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
      );
      return {
        type: str(r.type),
        message: str(r.message),
        rating: int(r.rating),
        email: str(r.email)?.toLowerCase() ?? null,
        wants_followup: bool(r.wants_followup, false),
        session_id: str(r.session_id),
        page_url: str(r.page_url),
        user_agent: str(r.user_agent),
        user_id: user !== null && l.users.has(user) ? user : null,
        context,
        status: str(r.status) ?? 'new',
        priority: str(r.priority) ?? 'medium',
        jira_issue_key: str(r.jira_ticket_key),
        assigned_admin_id: null,
        resolved_at: ts(r.resolved_at),
        deleted_at: ts(r.deleted_at),
        ...stamps(r),
      };
    },
  }),
  adminSpec({
    legacy: 'feedback_attachments',
    target: 'feedback_attachment',
    time: 'uploaded_at',
    columns: { id: 'int', feedback_id: 'int', name: 'text', url: 'text', size_bytes: 'int', content_type: 'text', created_at: 'ts' },
    map(r, l) {
      const fb = l.feedback.get(String(r.feedback_id));
      if (fb === undefined) return `feedback_id ${r.feedback_id} points at a missing feedback`;
      if (!str(r.storage_url)) return 'missing storage_url';
      return {
        feedback_id: fb,
        name: str(r.file_name) ?? 'file',
        url: str(r.storage_url),
        size_bytes: int(r.file_size),
        content_type: str(r.mime_type),
        created_at: ts(r.uploaded_at),
      };
    },
  }),
  adminSpec({
    legacy: 'feedback_comments',
    target: 'feedback_comment',
    time: 'created_at',
    columns: { id: 'int', feedback_id: 'int', admin_user_id: 'int', body: 'text', created_at: 'ts' },
    map(r, l, _id, repair, issues) {
      const fb = l.feedback.get(String(r.feedback_id));
      if (fb === undefined) return `feedback_id ${r.feedback_id} points at a missing feedback`;
      return {
        feedback_id: fb,
        admin_user_id: ref(l.admins, r.admin_user_id, 'admin_user_id', repair, issues),
        body: str(r.comment),
        created_at: ts(r.created_at),
      };
    },
  }),
  adminSpec({
    legacy: 'feedback_tags',
    target: 'feedback_tag',
    time: 'created_at',
    columns: { id: 'int', name: 'text', created_at: 'ts' },
    map(r, _l, _id, repair) {
      const raw = str(r.name) ?? '';
      const name = raw
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '-')
        .slice(0, 40);
      if (!/^[a-z0-9]/.test(name)) return `tag name ${JSON.stringify(raw)} has no usable characters`;
      if (name !== raw) repair('tag name normalised');
      return { name, created_at: ts(r.created_at) };
    },
  }),
  tagAssignments,
] as TableSpec<never>[];
