import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../load.ts';
import { lintMigrations } from './index.ts';

/** A small app in a git repository: release v1, then a branch with new migrations. */
describe('lint rule breaks-previous-release (--since <ref>)', () => {
  let repo: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  const migration = (name: string, up: string) => {
    write(`migrations/${name}/up.sql`, up);
    write(`migrations/${name}/down.sql`, '-- irreversible: test fixture\n');
  };
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'qc-compat-'));
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    migration(
      '0001_init',
      "CREATE TABLE note (id bigint PRIMARY KEY, body text, legacy text, unused text, kind text CHECK (kind IN ('a', 'b')));",
    );
    write(
      'src/db/schema.ts',
      "export interface NoteTable {\n  id: number;\n  body: string;\n  legacy: string | null;\n  unused: string | null;\n  kind: 'a' | 'b';\n}\n\nexport interface DB {\n  note: NoteTable;\n}\n",
    );
    write('src/notes/queries.ts', "export const q = (db) => db.selectFrom('note').select(['id', 'body', 'legacy', 'kind']);\n");
    git('add', '-A');
    git('commit', '-qm', 'v1');
    git('tag', 'v1');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('fails a drop, a rename and a narrowed value the release still reads, pointing to its code and to expand/contract', async () => {
    migration(
      '0002_break',
      [
        'ALTER TABLE note DROP COLUMN legacy;',
        'ALTER TABLE note RENAME COLUMN body TO text;',
        "ALTER TABLE note ADD CONSTRAINT note_kind_check2 CHECK (kind IN ('a')) NOT VALID;",
        'ALTER TABLE note DROP COLUMN unused;',
      ].join('\n'),
    );
    const r = await lintMigrations(loadMigrations(join(repo, 'migrations')), { since: { ref: 'v1', repoDir: repo } });
    const mine = r.findings.filter((f) => f.rule === 'breaks-previous-release');
    expect(mine.map((f) => [f.migration, f.line])).toEqual([
      ['0002_break', 1],
      ['0002_break', 2],
      ['0002_break', 3],
      ['0002_break', 4],
    ]);
    expect(mine[0]?.message).toMatch(
      /^Drops column note\.legacy, which the previous release \(v1\) still reads \(row type in src\/db\/schema\*\.ts; src\/notes\/queries\.ts:1\)/,
    );
    expect(mine[1]?.message).toMatch(/^Renames column note\.body to text, which the previous release \(v1\)/);
    expect(mine[2]?.message).toMatch(/^Narrows note\.kind to exclude 'b'/);
    // In the row type but never queried: still read by `selectAll()`-style code, so still reported, without a source line.
    expect(mine[3]?.message).toMatch(
      /^Drops column note\.unused, which the previous release \(v1\) still reads \(row type in src\/db\/schema\*\.ts\)/,
    );
    expect(mine[0]?.severity).toBe('error');
    expect(mine[0]?.fix).toMatch(/^Expand\/contract/);
    expect(r.errors).toBeGreaterThanOrEqual(4);
  });

  it('passes a drop of a column the release no longer reads', async () => {
    git('rm', '-q', 'src/db/schema.ts');
    write('src/db/schema.ts', 'export interface NoteTable {\n  id: number;\n}\n\nexport interface DB {\n  note: NoteTable;\n}\n');
    git('add', '-A');
    git('commit', '-qm', 'v2: stops reading everything but id');
    migration('0002_contract', 'ALTER TABLE note DROP COLUMN legacy;');
    const all = loadMigrations(join(repo, 'migrations'));
    const r = await lintMigrations(all, { since: { ref: 'HEAD', repoDir: repo } });
    expect(r.findings.filter((f) => f.rule === 'breaks-previous-release')).toEqual([]);
  });
});
