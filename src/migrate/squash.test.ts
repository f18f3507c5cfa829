import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../test/db.ts';
import { loadBaseline } from './baseline.ts';
import { snapshotHash } from './drift.ts';
import { readHistory } from './history.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp, migrationStatus } from './index.ts';
import { snapshotSchema } from './snapshot.ts';
import { squashMigrations } from './squash.ts';

describe('migrate squash --until N', () => {
  const migrations = loadMigrations(MIGRATIONS_DIR);
  const until = 31;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qc-squash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a baseline that builds the same schema as the history; new installs start from it, existing databases keep their history', async () => {
    const written = await squashMigrations(migrations, until, dir);
    expect(written.history.map((h) => h.id)).toEqual(migrations.filter((m) => m.id <= until).map((m) => m.id));
    const baseline = loadBaseline(dir);
    expect(baseline?.until).toBe(until);

    const fresh = await emptyDatabase();
    const old = await emptyDatabase();
    try {
      await migrateUp(old.db, migrations, { to: until });
      const r = await migrateUp(fresh.db, migrations, { to: until, baseline });
      expect(r.applied).toEqual(written.history.map((h) => h.name));
      expect(r.reports).toEqual([]);
      expect(snapshotHash(await snapshotSchema(fresh.db))).toBe(snapshotHash(await snapshotSchema(old.db)));
      expect(snapshotHash(await snapshotSchema(fresh.db))).toBe(baseline?.schema);
      // The same records, hash chain included, as replaying the history leaves.
      const pick = (h: Awaited<ReturnType<typeof readHistory>>) =>
        h.map(({ id, name, hash, chain_hash }) => ({ id, name, hash, chain_hash }));
      expect(pick(await readHistory(fresh.db))).toEqual(pick(await readHistory(old.db)));
      // Seed rows come along (0031 inserts the feature flags).
      const flags = async (d: typeof fresh) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM feature_flags`.execute(d.db)).rows[0]?.n;
      expect(await flags(fresh)).toBe(await flags(old));

      // Both go on to the head the ordinary way, to the same schema; the existing one ignores the baseline.
      await migrateUp(fresh.db, migrations, { baseline });
      await migrateUp(old.db, migrations, { baseline });
      expect((await migrationStatus(fresh.db, migrations)).every((s) => s.state === 'applied')).toBe(true);
      expect(snapshotHash(await snapshotSchema(fresh.db))).toBe(snapshotHash(await snapshotSchema(old.db)));
      expect((await readHistory(old.db)).every((h) => !h.applied_by.includes('baseline'))).toBe(true);
    } finally {
      await fresh.close();
      await old.close();
    }
  }, 180_000);

  it('refuses a baseline whose squashed migrations changed since', async () => {
    const baseline = loadBaseline(dir);
    const changed = migrations.map((m) => (m.id === 3 ? { ...m, hash: 'x'.repeat(64) } : m));
    const d = await emptyDatabase();
    try {
      await expect(migrateUp(d.db, changed, { baseline })).rejects.toThrow(/0003_marketing changed \(or is gone\) since it was squashed/);
      expect(await readHistory(d.db)).toEqual([]);
    } finally {
      await d.close();
    }
  }, 60_000);
});
