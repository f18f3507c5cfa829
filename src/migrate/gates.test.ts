import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../test/db.ts';
import { docsPath, isStale, renderDocs, withoutHistory } from './docs.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp, migrationStatus } from './index.ts';
import { verifyMigrations, withScratchDatabase } from './verify.ts';

/** The CI gates: every migration round-trips, and migrations/README.md is what `migrate docs` writes. */
describe('migrate verify', () => {
  it('round-trips every project migration (up → down → up) to the same schema fingerprint', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const result = await withScratchDatabase(process.env.TEST_DATABASE_URL ?? null, (d) => verifyMigrations(d.db, migrations));
    expect(result.migrations.filter((m) => !m.ok).map((m) => ({ name: m.name, diff: m.diff }))).toEqual([]);
    expect(result.migrations).toHaveLength(migrations.length);
  }, 180_000);

  it('catches a down that does not undo its up, and skips the down of an irreversible migration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qc-verify-'));
    const m = (name: string, up: string, down: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'up.sql'), up);
      writeFileSync(join(dir, name, 'down.sql'), down);
    };
    m('0001_t', 'CREATE TABLE t (id bigint PRIMARY KEY, v text);', 'DROP TABLE t;');
    m('0002_index', 'CREATE INDEX t_v_idx ON t (v);\nCOMMENT ON COLUMN t.v IS $$value$$;', 'DROP INDEX t_v_idx;');
    m('0003_seed', "INSERT INTO t VALUES (1, 'a');", '-- irreversible: the seed rows may have been edited since');
    const d = await emptyDatabase();
    try {
      const result = await verifyMigrations(d.db, loadMigrations(dir));
      expect(result.ok).toBe(false);
      const [t, index, seed] = result.migrations;
      expect(t?.ok).toBe(true);
      expect(index?.ok).toBe(false);
      expect(index?.diff).toContain('after down (expected the schema before 0002_index):');
      expect(index?.diff).toContain('+ column t.v text comment value');
      expect(seed).toMatchObject({ ok: true, irreversible: 'the seed rows may have been edited since' });
    } finally {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrate docs', () => {
  it('migrations/README.md is up to date (run `quickchat migrate docs` after changing a migration)', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    expect(isStale(MIGRATIONS_DIR, await renderDocs(migrations, null))).toBe(false);
  });

  it('keeps the seed handbook sections and fills the history cells from the database', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const d = await emptyDatabase();
    try {
      await migrateUp(d.db, migrations, { to: 5 });
      const text = await renderDocs(migrations, await migrationStatus(d.db, migrations));
      for (const h of [
        '## Migration Documents',
        '## Migration Timeline',
        '## Migration Process',
        '## Migration Best Practices',
        '## Migration Checklist',
      ]) {
        expect(text).toContain(h);
      }
      expect(text).toMatch(
        /\| 2025-10-24 \| \[Media assets to FK-only: backfill\]\(\.\/0005_media_asset_fk_backfill\/README\.md\) \| Database \| backfill \| <!--h-->✅ Applied \d{4}-\d\d-\d\d<!--\/h--> \|/,
      );
      expect(text).toContain('<!--h-->⏳ Pending<!--/h-->');
      expect(text).toContain('**Deprecates:** `media_asset.owner_type`, `media_asset.owner_id`');
      // History cells aside, the file is the same with or without a database.
      expect(withoutHistory(text)).toBe(withoutHistory(readFileSync(docsPath(MIGRATIONS_DIR), 'utf8')));
    } finally {
      await d.close();
    }
  });
});
