import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDatabase, isPostgres } from '../../test/db.ts';
import type { Database } from './database.ts';
import { openPostgres } from './database.ts';
import { chainHash } from './history.ts';
import { loadMigrations, MIGRATIONS_DIR, MigrationError, migrateDown, migrateUp, migrationStatus } from './index.ts';

/** A description of the schema to compare before and after a round trip. */
async function fingerprint(d: Database): Promise<string> {
  const cols = await sql<{ f: string }>`
    SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, '') AS f
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
    ORDER BY 1`.execute(d.db);
  const cons = await sql<{ f: string }>`
    SELECT conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid) AS f
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'schema_migrations' ORDER BY 1`.execute(
    d.db,
  );
  const idx = await sql<{ f: string }>`
    SELECT indexdef AS f FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`.execute(d.db);
  return [...cols.rows, ...cons.rows, ...idx.rows].map((r) => r.f).join('\n');
}

describe('migration engine', () => {
  let d: Database;
  beforeEach(async () => {
    d = await emptyDatabase();
  });
  afterEach(() => d.close());

  it('applies the whole history in order and records a hash chain', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const result = await migrateUp(d.db, migrations);
    expect(result.applied).toEqual(migrations.map((m) => m.name));
    const rows = await sql<{
      name: string;
      hash: string;
      chain_hash: string;
    }>`SELECT name, hash, chain_hash FROM schema_migrations ORDER BY id`.execute(d.db);
    let prev = '';
    for (const [i, r] of rows.rows.entries()) {
      expect(r.name).toBe(migrations[i]?.name);
      expect(r.hash).toBe(migrations[i]?.hash);
      expect(r.chain_hash).toBe(chainHash(prev, r.name, r.hash));
      prev = r.chain_hash;
    }
    const status = await migrationStatus(d.db, migrations);
    expect(status.every((s) => s.state === 'applied')).toBe(true);
    expect((await migrateUp(d.db, migrations)).applied).toEqual([]);
  });

  it('rolls everything back and re-applies it to the same schema', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    await migrateUp(d.db, migrations);
    const before = await fingerprint(d);
    const down = await migrateDown(d.db, migrations, { to: 0 });
    expect(down.rolledBack).toEqual(migrations.map((m) => m.name).reverse());
    expect(await fingerprint(d)).toBe('');
    await migrateUp(d.db, migrations);
    expect(await fingerprint(d)).toBe(before);
  });

  it('steps down one migration at a time by default', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    await migrateUp(d.db, migrations, { to: 3 });
    const r = await migrateDown(d.db, migrations);
    expect(r.rolledBack).toEqual(['0003_marketing']);
    const status = await migrationStatus(d.db, migrations);
    expect(status.filter((s) => s.state === 'applied').map((s) => s.id)).toEqual([1, 2]);
  });
});

describe('migration engine on scratch migrations', () => {
  let d: Database;
  let dir: string;
  const write = (name: string, up: string, down: string) => {
    const m = join(dir, name);
    mkdirSync(m);
    writeFileSync(join(m, 'up.sql'), up);
    writeFileSync(join(m, 'down.sql'), down);
  };
  beforeEach(async () => {
    d = await emptyDatabase();
    dir = mkdtempSync(join(tmpdir(), 'qc-mig-'));
    write('0001_a', 'CREATE TABLE a (id int);', 'DROP TABLE a;');
    write('0002_b', 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);', 'DROP TABLE b;');
  });
  afterEach(async () => {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to run when an applied migration was edited, naming the file and both hashes', async () => {
    await migrateUp(d.db, loadMigrations(dir));
    writeFileSync(join(dir, '0002_b', 'up.sql'), 'CREATE TABLE b (id bigint);');
    const edited = loadMigrations(dir);
    const status = await migrationStatus(d.db, edited);
    const b = status.find((s) => s.name === '0002_b');
    expect(b?.state).toBe('edited');
    expect(b?.expectedHash).not.toBe(b?.actualHash);
    expect(b?.actualHash).toBe(edited[1]?.hash);
    await expect(migrateUp(d.db, edited)).rejects.toThrow(/0002_b was edited after it was applied.*migrations\/0002_b\/up\.sql/);
    await expect(migrateDown(d.db, edited)).rejects.toThrow(MigrationError);
  });

  it('reports a migration applied to the database but gone from disk, and refuses to go on', async () => {
    await migrateUp(d.db, loadMigrations(dir));
    rmSync(join(dir, '0002_b'), { recursive: true });
    const status = await migrationStatus(d.db, loadMigrations(dir));
    expect(status.find((s) => s.name === '0002_b')?.state).toBe('missing');
    await expect(migrateUp(d.db, loadMigrations(dir))).rejects.toThrow(/0002_b applied to this database but not found/);
  });

  it('runs each migration in one transaction: a failing statement leaves nothing behind', async () => {
    write('0003_bad', 'CREATE TABLE c (id int);\nINSERT INTO c VALUES (1);\nINSERT INTO nope VALUES (1);', 'DROP TABLE c;');
    await expect(migrateUp(d.db, loadMigrations(dir))).rejects.toThrow(/0003_bad\/up.sql, statement 3 \(INSERT INTO nope/);
    const c = await sql<{ t: string | null }>`SELECT to_regclass('c')::text AS t`.execute(d.db);
    expect(c.rows[0]?.t).toBeNull();
    const status = await migrationStatus(d.db, loadMigrations(dir));
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied', 'pending']);
  });

  it('stops at --to and refuses an irreversible down without force', async () => {
    write('0003_c', 'CREATE TABLE c (id int);', '-- irreversible: the data of c cannot be rebuilt\nDROP TABLE c;');
    const ms = loadMigrations(dir);
    expect((await migrateUp(d.db, ms, { to: 2 })).applied).toEqual(['0001_a', '0002_b']);
    await migrateUp(d.db, ms);
    await expect(migrateDown(d.db, ms)).rejects.toThrow(/0003_c is irreversible \(the data of c cannot be rebuilt\); pass --force/);
    expect((await migrateDown(d.db, ms, { force: true })).rolledBack).toEqual(['0003_c']);
  });

  it('records a migration made of one statement outside a transaction as applied, not half-applied', async () => {
    write('0003_idx', 'CREATE INDEX CONCURRENTLY b_id_idx ON b (id);', 'DROP INDEX CONCURRENTLY b_id_idx;');
    const ms = loadMigrations(dir);
    await migrateUp(d.db, ms);
    expect((await migrationStatus(d.db, ms)).map((s) => s.state)).toEqual(['applied', 'applied', 'applied']);
    expect((await migrateUp(d.db, ms)).applied).toEqual([]);
    await migrateDown(d.db, ms);
    expect((await migrationStatus(d.db, ms)).map((s) => s.state)).toEqual(['applied', 'applied', 'pending']);
  });

  it('rejects a folder without down.sql with a message that says what to write', () => {
    const m = join(dir, '0003_nodown');
    mkdirSync(m);
    writeFileSync(join(m, 'up.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/0003_nodown: down.sql is missing \(write the rollback, or "-- irreversible: <reason>"\)/);
  });

  it('reports a SQL syntax error with the file name before touching the database', () => {
    write('0003_syntax', 'CREATE TABLEE x (id int);', 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/0003_syntax\/up.sql: syntax error/);
  });

  // Concurrency needs real connections: PGlite is one connection in one process.
  it.runIf(isPostgres())('applies each migration exactly once with 20 concurrent runners', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    const name = (await sql<{ n: string }>`SELECT current_database() AS n`.execute(d.db)).rows[0]?.n as string;
    url.pathname = `/${name}`;
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const runners = Array.from({ length: 20 }, () => openPostgres(url.toString(), 2));
    try {
      const results = await Promise.all(runners.map((r) => migrateUp(r.db, migrations)));
      const applied = results.flatMap((r) => r.applied);
      expect(applied.sort()).toEqual(migrations.map((m) => m.name).sort());
      const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(d.db);
      expect(count.rows[0]?.n).toBe(migrations.length);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });
});
