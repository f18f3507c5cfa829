import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../test/db.ts';
import type { Database } from './database.ts';
import { snapshotHash } from './drift.ts';
import { readHistory } from './history.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from './index.ts';
import { applyPlan, planMarkdown, savePlan } from './saved-plan.ts';
import { snapshotSchema } from './snapshot.ts';

describe('saved plans (migrate plan --out, migrate up --plan)', () => {
  let d: Database;
  let dir: string;
  beforeEach(async () => {
    d = await emptyDatabase();
    dir = mkdtempSync(join(tmpdir(), 'qc-plan-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    await migrateUp(d.db, loadMigrations(dir), { to: 3 });
  });
  afterEach(async () => {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const applied = async () => (await readHistory(d.db)).map((h) => h.id);

  it('records the target, the history chain, file hashes, statements and the schema after each migration; applies exactly that', async () => {
    const plan = await savePlan(d.db, loadMigrations(dir), { to: 7 });
    expect(plan.history.map((h) => h.id)).toEqual([1, 2, 3]);
    expect(plan.target.database).toBeTruthy();
    expect(plan.migrations.map((m) => m.id)).toEqual([4, 5, 6, 7]);
    expect(Object.keys(plan.migrations[1]?.files ?? {})).toEqual(['up.sql', 'down.sql', 'backfill.yaml']);
    const drop = plan.migrations[3]?.steps
      .flatMap((s) => s.statements)
      .find((s) => s.kind.includes('DROP COLUMN') || /DROP COLUMN/.test(s.sql));
    expect(drop?.locks[0]).toMatchObject({ table: 'media_asset', mode: 'ACCESS EXCLUSIVE' });
    expect(plan.migrations[1]?.steps.some((s) => s.backfill?.table === 'question')).toBe(true);
    const md = planMarkdown(plan);
    expect(md).toContain('#### 0007_media_asset_fk_contract');
    expect(md).toMatch(
      /\| 1 \| `up.sql:\d+` `ALTER TABLE media_asset DROP COLUMN owner_type, DROP COLUMN owner_id` \| ACCESS EXCLUSIVE media_asset/,
    );

    const r = await applyPlan(d.db, JSON.parse(JSON.stringify(plan)), loadMigrations(dir));
    expect(r.applied.map((n) => n.slice(0, 4))).toEqual(['0004', '0005', '0006', '0007']);
    expect(await applied()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(snapshotHash(await snapshotSchema(d.db))).toBe(plan.migrations.at(-1)?.schemaAfter);
  });

  it('refuses, naming the file, when a planned file changed', async () => {
    const plan = await savePlan(d.db, loadMigrations(dir), { to: 7 });
    appendFileSync(join(dir, '0005_media_asset_fk_backfill', 'up.sql'), '\nSELECT 1;\n');
    await expect(applyPlan(d.db, plan, loadMigrations(dir))).rejects.toThrow(
      /files: migrations\/0005_media_asset_fk_backfill\/up\.sql changed \([0-9a-f]{12} → [0-9a-f]{12}\) since the plan was made/,
    );
    expect(await applied()).toEqual([1, 2, 3]);
  });

  it('refuses when the history moved on since the plan', async () => {
    const plan = await savePlan(d.db, loadMigrations(dir), { to: 7 });
    await migrateUp(d.db, loadMigrations(dir), { to: 4 });
    await expect(applyPlan(d.db, plan, loadMigrations(dir))).rejects.toThrow(
      /history: 0004_media_asset_fk_expand was applied after the plan was made/,
    );
    expect(await applied()).toEqual([1, 2, 3, 4]);
  });

  it('refuses when the live schema changed by hand, naming the object', async () => {
    const plan = await savePlan(d.db, loadMigrations(dir), { to: 7 });
    await sql`ALTER TABLE question ADD COLUMN hand_note text`.execute(d.db);
    await expect(applyPlan(d.db, plan, loadMigrations(dir))).rejects.toThrow(
      /live schema changed since the plan was made: \+ column question\.hand_note: text/,
    );
    expect(await applied()).toEqual([1, 2, 3]);
  });

  it('refuses a plan made for another database', async () => {
    const plan = await savePlan(d.db, loadMigrations(dir), { to: 4 });
    plan.target.database = 'elsewhere';
    await expect(applyPlan(d.db, plan, loadMigrations(dir))).rejects.toThrow(/target: the plan was made for database "elsewhere"/);
  });
});
