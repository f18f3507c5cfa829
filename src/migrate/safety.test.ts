import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDatabase, isPostgres } from '../../test/db.ts';
import { type Database, openPostgres } from './database.ts';
import { type EngineEvent, listBackups, loadMigrations, migrateDown, migrateUp, migrationStatus, restoreBackup } from './index.ts';
import { planMigrations } from './plan.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/engine', import.meta.url));
const migrations = loadMigrations(FIXTURE);

async function seeded(): Promise<Database> {
  const d = await emptyDatabase();
  await migrateUp(d.db, migrations, { to: 1 });
  await sql`INSERT INTO item (owner, label, score) SELECT 'o' || g, CASE WHEN g % 10 <> 0 THEN 'l' || g END, g % 5 FROM generate_series(1, 350) g`.execute(
    d.db,
  );
  return d;
}

describe('migrate plan', () => {
  let d: Database;
  beforeEach(async () => {
    d = await seeded();
  });
  afterEach(() => d.close());

  it('lists the statements up then runs, exactly, with locks, row counts, rewrite/scan, backup and risk', async () => {
    const plans = await planMigrations(d.db, migrations);
    expect(plans.map((p) => p.name)).toEqual(['0002_expand_backfill', '0003_contract']);
    const [expand, contract] = plans;
    expect(expand?.steps.map((s) => s.kind)).toEqual(['tx', 'tx', 'concurrent', 'backfill']);
    expect(expand?.steps[0]?.statements[0]).toMatchObject({
      sql: 'ALTER TABLE item ADD COLUMN label_upper text',
      kind: 'ALTER TABLE',
      locks: [{ table: 'item', mode: 'ACCESS EXCLUSIVE', rows: 350, newTable: false }],
      rewrites: false,
      scans: false,
      backup: false,
      risk: 'medium',
    });
    // The validation runs in its own transaction, under SHARE UPDATE EXCLUSIVE: writes continue.
    expect(expand?.steps[1]?.statements[0]).toMatchObject({ locks: [{ mode: 'SHARE UPDATE EXCLUSIVE' }], scans: true, risk: 'low' });
    expect(expand?.steps[2]?.statements[0]).toMatchObject({ transactional: false, kind: 'CREATE INDEX CONCURRENTLY' });
    expect(expand?.steps[3]?.backfill).toMatchObject({ table: 'item', key: 'id', batchSize: 100, rows: 350 });
    expect(contract?.steps[0]?.statements[0]).toMatchObject({ backup: true, locks: [{ mode: 'ACCESS EXCLUSIVE' }] });

    const executed: string[] = [];
    await migrateUp(d.db, migrations, {
      onEvent: (e) => e.type === 'statement' && executed.push(`${e.migration}/${e.file}:${e.index} ${e.sql}`),
    });
    const planned = plans.flatMap((p) => p.steps.flatMap((s) => s.statements.map((st) => `${p.name}/${st.file}:${st.index} ${st.sql}`)));
    expect(executed).toEqual(planned);
    expect(await planMigrations(d.db, migrations)).toEqual([]);
  });

  it('plans the rollback with --down', async () => {
    await migrateUp(d.db, migrations);
    const [down] = await planMigrations(d.db, migrations, { direction: 'down' });
    expect(down?.name).toBe('0003_contract');
    expect(down?.steps[0]?.statements.map((s) => s.sql)).toEqual([
      'ALTER TABLE item ADD COLUMN owner text',
      "SELECT migration_backup.restore_columns('item', ARRAY['owner'])",
    ]);
  });
});

describe('declared backfills', () => {
  let d: Database;
  beforeEach(async () => {
    d = await seeded();
  });
  afterEach(() => d.close());

  it('runs in keyset batches with progress, counts rows, and a re-run changes nothing', async () => {
    const events: Extract<EngineEvent, { type: 'backfill' }>[] = [];
    const r = await migrateUp(d.db, migrations, { to: 2, backfillBatchMs: 0, onEvent: (e) => e.type === 'backfill' && events.push(e) });
    expect(events.map((e) => e.scanned)).toEqual([100, 200, 300, 350]);
    expect(events.at(-1)).toMatchObject({ table: 'item', total: 350, updated: 315, done: true, etaMs: expect.any(Number) });
    expect(events.every((e) => e.rowsPerSec >= 0 && e.batchSize === 100)).toBe(true);
    expect(r.reports[0]?.rowsBackfilled).toBe(315);
    const left = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM item WHERE label IS NOT NULL AND label_upper IS DISTINCT FROM upper(label)`.execute(d.db);
    expect(left.rows[0]?.n).toBe(0);
    const recorded = await sql<{ rows_backfilled: number }>`SELECT rows_backfilled FROM schema_migrations WHERE id = 2`.execute(d.db);
    expect(recorded.rows[0]?.rows_backfilled).toBe(315);
    // Idempotent: rolled back to before the backfill's data (not its column), re-running updates nothing new.
    await migrateDown(d.db, migrations, { to: 1 });
    await migrateUp(d.db, migrations, { to: 2 });
    const again = await migrateUp(d.db, migrations, { to: 2 });
    expect(again.applied).toEqual([]);
  });

  it('resumes after a crash at the last committed batch, repeating at most one', async () => {
    let batches = 0;
    const crash = (e: EngineEvent) => {
      if (e.type === 'backfill' && ++batches === 2) throw new Error('runner crashed');
    };
    await expect(migrateUp(d.db, migrations, { to: 2, backfillBatchMs: 0, onEvent: crash })).rejects.toThrow('runner crashed');
    const status = await migrationStatus(d.db, migrations);
    expect(status[1]).toMatchObject({
      state: 'partial',
      stoppedAt: { direction: 'up', stepsDone: 3, steps: 4, next: expect.stringContaining('backfill item') },
    });
    const resumed: number[] = [];
    const r = await migrateUp(d.db, migrations, {
      to: 2,
      backfillBatchMs: 0,
      onEvent: (e) => e.type === 'backfill' && resumed.push(e.scanned),
    });
    expect(resumed).toEqual([300, 350]);
    // The count covers the whole backfill, the batches before the crash included.
    expect(r.reports[0]?.rowsBackfilled).toBe(315);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM item WHERE label IS NOT NULL AND label_upper IS NULL`.execute(
      d.db,
    );
    expect(left.rows[0]?.n).toBe(0);
  });
});

describe('backups before destructive statements', () => {
  let d: Database;
  beforeEach(async () => {
    d = await seeded();
  });
  afterEach(() => d.close());

  it('copies a dropped column with its key, lists it, and the down puts it back', async () => {
    const events: EngineEvent[] = [];
    await migrateUp(d.db, migrations, { onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'backup')).toEqual([
      { type: 'backup', migration: '0003_contract', id: 1, table: 'item', rows: 350 },
    ]);
    const [b] = await listBackups(d.db);
    expect(b).toMatchObject({
      migration_name: '0003_contract',
      direction: 'up',
      statement_no: 1,
      table_name: 'item',
      kind: 'columns',
      columns: ['owner'],
      key_columns: ['id'],
    });
    expect(Number(b?.row_count)).toBe(350);
    await migrateDown(d.db, migrations, { to: 2 });
    const owners = await sql<{ n: number }>`SELECT count(*)::int AS n FROM item WHERE owner = 'o' || id`.execute(d.db);
    expect(owners.rows[0]?.n).toBe(350);
  });

  it('restores a backup on demand and explains what to do when the column is gone', async () => {
    await migrateUp(d.db, migrations);
    await expect(restoreBackup(d.db, 1)).rejects.toThrow(/item has no column owner: roll back 0003_contract with `quickchat migrate down`/);
    await migrateDown(d.db, migrations, { to: 2 });
    await sql`UPDATE item SET owner = NULL WHERE id <= 10`.execute(d.db);
    const { rows } = await restoreBackup(d.db, 1);
    expect(rows).toBe(350);
    const back = await sql<{ n: number }>`SELECT count(*)::int AS n FROM item WHERE owner = 'o' || id`.execute(d.db);
    expect(back.rows[0]?.n).toBe(350);
    await expect(restoreBackup(d.db, 99)).rejects.toThrow(/No backup 99/);
  });

  it('backs up whole tables dropped by a down, and re-inserts them', async () => {
    await migrateDown(d.db, migrations, { to: 0 });
    const [b] = await listBackups(d.db);
    expect(b).toMatchObject({ migration_name: '0001_items', direction: 'down', kind: 'table', table_name: 'item' });
    await migrateUp(d.db, migrations, { to: 1 });
    expect((await restoreBackup(d.db, Number(b?.id))).rows).toBe(350);
  });
});

describe('statements outside the transaction', () => {
  let d: Database;
  let dir: string;
  beforeEach(async () => {
    d = await emptyDatabase();
    dir = mkdtempSync(join(tmpdir(), 'qc-cic-'));
    const m = (name: string, up: string, down: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'up.sql'), up);
      writeFileSync(join(dir, name, 'down.sql'), down);
    };
    m('0001_t', "CREATE TABLE t (id bigint PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'a');", 'DROP TABLE t;');
    m('0002_unique', 'CREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);', 'DROP INDEX CONCURRENTLY t_v_key;');
  });
  afterEach(async () => {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failed concurrent index build leaves no INVALID index; down undoes, up succeeds once the data is fixed', async () => {
    await expect(migrateUp(d.db, loadMigrations(dir))).rejects.toThrow(
      /0002_unique\/up.sql, statement 1 \(CREATE UNIQUE INDEX CONCURRENTLY/,
    );
    const invalid = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid`.execute(d.db);
    expect(invalid.rows[0]?.n).toBe(0);
    expect((await migrationStatus(d.db, loadMigrations(dir)))[1]?.state).toBe('partial');
    const undo = await migrateDown(d.db, loadMigrations(dir));
    expect(undo.rolledBack).toEqual(['0002_unique']);
    expect((await migrationStatus(d.db, loadMigrations(dir))).map((s) => s.state)).toEqual(['applied', 'pending']);
    await sql`UPDATE t SET v = 'b' WHERE id = 2`.execute(d.db);
    expect((await migrateUp(d.db, loadMigrations(dir))).applied).toEqual(['0002_unique']);
  });
});

// Lock waits need a second connection holding the lock: PGlite is one connection.
describe.runIf(isPostgres())('lock discipline (PostgreSQL)', () => {
  let d: Database;
  let other: Database;
  beforeEach(async () => {
    d = await seeded();
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.pathname = `/${(await sql<{ n: string }>`SELECT current_database() AS n`.execute(d.db)).rows[0]?.n}`;
    other = openPostgres(url.toString(), 1);
  });
  afterEach(async () => {
    await other.close();
    await d.close();
  });

  /** Holds ACCESS SHARE on item (a long read) until the returned function is called. */
  async function holdReadLock(): Promise<() => void> {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const ready = new Promise<void>((r) => {
      locked = r;
    });
    void other.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE item IN ACCESS SHARE MODE`.execute(trx);
      locked();
      await held;
    });
    await ready;
    return release;
  }

  it('gives up on a lock after lock_timeout, retries with backoff, and reports waits and holds', async () => {
    const release = await holdReadLock();
    setTimeout(release, 700);
    const retries: EngineEvent[] = [];
    const r = await migrateUp(d.db, migrations, { to: 2, lockTimeoutMs: 100, onEvent: (e) => e.type === 'lock-retry' && retries.push(e) });
    expect(r.applied).toEqual(['0002_expand_backfill']);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]).toMatchObject({ migration: '0002_expand_backfill', what: 'up.sql statements 1–2', attempt: 1 });
    const first = r.reports[0]?.steps[0];
    expect(first?.attempts).toBe(retries.filter((e) => e.type === 'lock-retry' && e.what === 'up.sql statements 1–2').length + 1);
    expect(first?.statements[0]?.holds).toEqual([{ table: 'item', mode: 'ACCESS EXCLUSIVE', ms: expect.any(Number) }]);
    expect(r.reports[0]?.lockWaitMs).toBeLessThanOrEqual(150);
  });

  it('fails after the retry budget, naming it, with nothing applied', async () => {
    const release = await holdReadLock();
    try {
      await expect(migrateUp(d.db, migrations, { to: 2, lockTimeoutMs: 50, lockRetryBudgetMs: 400 })).rejects.toThrow(
        /^0002_expand_backfill up.sql statements 1–2: lock timeout: .*gave up after \d+ attempts.*; held by pid \d+ \(idle in transaction: LOCK TABLE item IN ACCESS SHARE MODE\)/,
      );
      expect((await migrationStatus(d.db, migrations)).map((s) => s.state)).toEqual(['applied', 'pending', 'pending']);
    } finally {
      release();
    }
  });
});
