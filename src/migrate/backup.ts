import { type Kysely, sql } from 'kysely';
import type { Destruction } from './analyze.ts';
import { MigrationError } from './errors.ts';
import { quoteIdent } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

const BACKUP_SCHEMA = 'migration_backup';

export interface BackupRecord {
  id: number;
  migration_id: number;
  migration_name: string;
  direction: string;
  statement_no: number;
  statement: string;
  table_name: string;
  kind: Destruction['kind'];
  columns: string[];
  key_columns: string[];
  backup_table: string;
  row_count: number;
  created_at: Date;
  restored_at: Date | null;
}

/**
 * The backup catalog, and `migration_backup.restore_columns(table, columns)`, which a down.sql
 * calls to put dropped columns back from the newest backup (only where they are still NULL).
 */
export async function ensureBackupSchema(db: AnyDb): Promise<void> {
  const present = await sql<{ f: string | null }>`
    SELECT to_regprocedure('migration_backup.restore_columns(text,text[])')::text AS f`.execute(db);
  if (present.rows[0]?.f) return;
  await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${BACKUP_SCHEMA}`).execute(db);
  await sql`
    CREATE TABLE IF NOT EXISTS migration_backup.backups (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      migration_id integer NOT NULL,
      migration_name text NOT NULL,
      direction text NOT NULL,
      statement_no integer NOT NULL,
      statement text NOT NULL,
      table_name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('table', 'columns', 'rows')),
      columns text[] NOT NULL DEFAULT '{}',
      key_columns text[] NOT NULL DEFAULT '{}',
      backup_table text NOT NULL,
      row_count bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      restored_at timestamptz
    )`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION migration_backup.restore_columns(p_table text, p_columns text[]) RETURNS bigint
    LANGUAGE plpgsql AS $fn$
    DECLARE
      b migration_backup.backups;
      sets text;
      keys text;
      still_null text;
      n bigint;
    BEGIN
      SELECT * INTO b FROM migration_backup.backups
      WHERE table_name = p_table AND kind = 'columns' AND columns @> p_columns
      ORDER BY id DESC LIMIT 1;
      IF NOT FOUND THEN RETURN 0; END IF;
      SELECT string_agg(format('%I = b.%I', c, c), ', '), string_agg(format('t.%I IS NULL', c), ' AND ')
        INTO sets, still_null FROM unnest(p_columns) c;
      SELECT string_agg(format('t.%I = b.%I', k, k), ' AND ') INTO keys FROM unnest(b.key_columns) k;
      EXECUTE format('UPDATE %s t SET %s FROM %s b WHERE %s AND %s', p_table::regclass, sets, b.backup_table, keys, still_null);
      GET DIAGNOSTICS n = ROW_COUNT;
      UPDATE migration_backup.backups SET restored_at = now() WHERE id = b.id;
      RETURN n;
    END
    $fn$`.execute(db);
}

async function columnsOf(db: AnyDb, ident: string): Promise<string[]> {
  const r = await sql<{ a: string }>`
    SELECT attname AS a FROM pg_attribute
    WHERE attrelid = to_regclass(${ident}) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
    ORDER BY attnum`.execute(db);
  return r.rows.map((x) => x.a);
}

async function primaryKey(db: AnyDb, ident: string): Promise<string[]> {
  const r = await sql<{ a: string }>`
    SELECT a.attname AS a FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = to_regclass(${ident}) AND i.indisprimary ORDER BY a.attnum`.execute(db);
  return r.rows.map((x) => x.a);
}

export interface BackupSource {
  migrationId: number;
  migrationName: string;
  direction: string;
  statementNo: number;
  statement: string;
}

/**
 * Copies what `d` is about to destroy into a new table of `migration_backup`, inside the caller's
 * transaction and before it takes any strong lock (the copy only needs ACCESS SHARE). Returns null
 * when there is nothing to copy (the table or columns do not exist yet).
 */
export async function takeBackup(trx: AnyDb, src: BackupSource, d: Destruction): Promise<BackupRecord | null> {
  const ident = quoteIdent(d.table);
  const all = await columnsOf(trx, ident);
  if (!all.length) return null;
  let kind = d.kind;
  let columns = all;
  let keys: string[] = [];
  if (d.kind === 'columns') {
    columns = (d.columns ?? []).filter((c) => all.includes(c));
    if (!columns.length) return null;
    keys = await primaryKey(trx, ident);
    // Without a primary key the rows cannot be matched back: keep the whole table instead.
    if (!keys.length) {
      kind = 'table';
      columns = all;
    }
  } else {
    keys = await primaryKey(trx, ident);
  }
  const inserted = await sql<{ id: number }>`
    INSERT INTO migration_backup.backups (migration_id, migration_name, direction, statement_no, statement, table_name, kind, columns, key_columns, backup_table)
    VALUES (${src.migrationId}, ${src.migrationName}, ${src.direction}, ${src.statementNo}, ${src.statement}, ${d.table}, ${kind},
            ${columns}::text[], ${keys}::text[], '') RETURNING id`.execute(trx);
  const id = Number(inserted.rows[0]?.id);
  const target = `${BACKUP_SCHEMA}.${quoteIdent(`b${id}_${d.table.replace('.', '_')}`.slice(0, 63))}`;
  const list = [...keys.filter((k) => !columns.includes(k)), ...columns].map(quoteIdent).join(', ');
  const where = d.kind === 'rows' && d.where ? ` WHERE ${d.where}` : '';
  await sql.raw(`CREATE TABLE ${target} AS SELECT ${list} FROM ${ident} WITH NO DATA`).execute(trx);
  const from = d.alias ? `${ident} AS ${quoteIdent(d.alias)}` : ident;
  const copied = await sql.raw(`INSERT INTO ${target} SELECT ${list} FROM ${from}${where}`).execute(trx);
  const rows = Number(copied.numAffectedRows ?? 0);
  await sql`UPDATE migration_backup.backups SET backup_table = ${target}, row_count = ${rows} WHERE id = ${id}`.execute(trx);
  return { ...(await readBackup(trx, id)) } as BackupRecord;
}

export async function listBackups(db: AnyDb): Promise<BackupRecord[]> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass('migration_backup.backups')::text AS t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  return (await sql<BackupRecord>`SELECT * FROM migration_backup.backups ORDER BY id`.execute(db)).rows;
}

async function readBackup(db: AnyDb, id: number): Promise<BackupRecord | undefined> {
  return (await sql<BackupRecord>`SELECT * FROM migration_backup.backups WHERE id = ${id}`.execute(db)).rows[0];
}

/**
 * Puts a backup back. Dropped columns: the table must have them again (the migration's down
 * re-adds them); their values are set from the backup, matched on the primary key. Tables and
 * rows: re-inserted, skipping rows that conflict with what is there now.
 */
export async function restoreBackup(db: AnyDb, id: number): Promise<{ record: BackupRecord; rows: number }> {
  const record = (await listBackups(db)).find((b) => Number(b.id) === id);
  if (!record) throw new MigrationError(`No backup ${id}: run \`quickchat migrate backup list\` to see the backups.`);
  const ident = quoteIdent(record.table_name);
  const redo =
    record.direction === 'down'
      ? `apply ${record.migration_name} again with \`quickchat migrate up\``
      : `roll back ${record.migration_name} with \`quickchat migrate down\``;
  return db.transaction().execute(async (trx) => {
    const current = await columnsOf(trx, ident);
    if (!current.length) {
      throw new MigrationError(`Table ${record.table_name} does not exist: ${redo} (it recreates the table), then restore.`);
    }
    let rows: number;
    if (record.kind === 'columns') {
      const missing = record.columns.filter((c) => !current.includes(c));
      if (missing.length) {
        throw new MigrationError(`${record.table_name} has no column ${missing.join(', ')}: ${redo} (it re-adds it), then restore.`);
      }
      const sets = record.columns.map((c) => `${quoteIdent(c)} = b.${quoteIdent(c)}`).join(', ');
      const keys = record.key_columns.map((k) => `t.${quoteIdent(k)} = b.${quoteIdent(k)}`).join(' AND ');
      const r = await sql.raw(`UPDATE ${ident} t SET ${sets} FROM ${record.backup_table} b WHERE ${keys}`).execute(trx);
      rows = Number(r.numAffectedRows ?? 0);
    } else {
      const cols = [...new Set([...record.key_columns, ...record.columns])].filter((c) => current.includes(c)).map(quoteIdent);
      const list = cols.join(', ');
      const r = await sql
        .raw(`INSERT INTO ${ident} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM ${record.backup_table} ON CONFLICT DO NOTHING`)
        .execute(trx);
      rows = Number(r.numAffectedRows ?? 0);
    }
    await sql`UPDATE migration_backup.backups SET restored_at = now() WHERE id = ${id}`.execute(trx);
    return { record, rows };
  });
}
