import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { TEST_SECRET } from '../../test/app.ts';
import { freshDatabase, isPostgres } from '../../test/db.ts';
import { type Database, openPglite } from '../db/index.ts';
import { count, digest, importFrom, FIXTURE_QUESTIONS as N, sourceFor, stub, TOKEN } from './test-helpers.ts';
import { verifyImport } from './verify.ts';

/**
 * The import runs in a child process (the real CLI) that is killed with SIGKILL in the middle of
 * the question table; a second run resumes from the cursor. The result must equal a clean import.
 */
describe('import xano: kill -9 and resume', { timeout: 180_000 }, () => {
  it('resumes after the last committed batch: no duplicates, no gaps, same data as an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qc-import-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    // A slow source, so the kill lands mid-table: 5 rows a page, 40 ms a page.
    const s = await stub({ latencyMs: 40 });
    const reference = await freshDatabase();
    let target: Database | null = null;
    let pg: Database | null = null;
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dir, JWT_SECRET: TEST_SECRET };
      if (isPostgres()) {
        pg = await freshDatabase();
        env.DATABASE_URL = pg.connectionString ?? '';
      } else {
        delete env.DATABASE_URL;
        const seeded = await openPglite(join(dir, 'pglite'), new Blob([readFileSync(inject('pgliteTemplate'))]));
        await seeded.close();
      }
      const child = spawn(
        process.execPath,
        ['src/cli/run.ts', 'import', 'xano', '--url', s.url, '--workspace', '1', '--token-file', tokenFile, '--page-size', '5'],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (b) => {
        stderr += b;
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // user, expert_profile: 1 page each; media 6; question 13: request 16 is question page 8.
      for (let i = 0; i < 600 && s.requests.content < 16; i++) await new Promise((r) => setTimeout(r, 50));
      expect(s.requests.content, stderr).toBeGreaterThanOrEqual(16);
      child.kill('SIGKILL');
      await exited;

      target = pg ?? (await openPglite(join(dir, 'pglite')));
      const killedAt = await target.db.selectFrom('import_run').selectAll().where('table_name', '=', 'question').executeTakeFirstOrThrow();
      expect(killedAt.status).toBe('running');
      expect(killedAt.last_page).toBeGreaterThan(0);
      expect(await count(target.db, 'question')).toBe(killedAt.inserted);
      expect(await count(target.db, 'answer')).toBe(0);

      const resumed = await importFrom(target.db, s, { perPage: 5 });
      const q = resumed.tables.find((t) => t.table === 'question');
      expect(q?.resumedFromPage).toBe(killedAt.last_page);
      expect(q).toMatchObject({ inserted: N + 2, rejected: 1 });
      expect(resumed.tables.find((t) => t.table === 'user')).toMatchObject({ resumedFromPage: null, inserted: 0, unchanged: 3 });

      await importFrom(reference.db, s, { perPage: 5 });
      expect(await digest(target.db)).toEqual(await digest(reference.db));
      expect((await verifyImport(target.db, sourceFor(s), { perPage: 25 })).ok).toBe(true);
      const rejects = await target.db.selectFrom('import_rejected').select('id').execute();
      expect(rejects).toHaveLength(10);
    } finally {
      await s.close();
      await reference.close();
      if (target && target !== pg) await target.close();
      await pg?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
