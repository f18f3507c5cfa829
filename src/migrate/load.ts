import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type BackfillSpec, parseBackfillFile } from './backfill-spec.ts';
import { type DataCheck, parseChecksFile } from './checks-file.ts';
import { MigrationError } from './errors.ts';
import { type ParsedStatement, parseSqlFile } from './parse.ts';

interface MigrationMeta {
  title: string;
  date: string;
  type: string;
  phase: string;
  /** `table.column` (or `table.*`) items this migration marks deprecated (a later drop is then allowed). */
  deprecates: string[];
  /** Lint findings the authors accept, each with the reason. */
  acknowledge: Acknowledgement[];
  /** false: no backups before destructive statements (lint asks for an acknowledged reason). */
  backup: boolean;
  [key: string]: unknown;
}

interface Acknowledgement {
  rule: string;
  reason: string;
  /** Only this statement of up.sql (1-based); all of them when absent. */
  statement?: number;
}

export interface Migration {
  /** The NNNN prefix. */
  id: number;
  /** The folder name, e.g. `0004_media_asset_fk_expand`. */
  name: string;
  dir: string;
  upSql: string;
  downSql: string;
  upStatements: string[];
  downStatements: string[];
  /** The statements with their parse trees and line numbers (the same texts as up/downStatements). */
  up: ParsedStatement[];
  down: ParsedStatement[];
  /** Declared batched backfills (`backfill.yaml`), run by the engine outside the DDL transaction. */
  backfills: BackfillSpec[];
  /** Data checks (`checks.yaml`), run on the real data at points of the run; not part of the hash (see loadMigrations). */
  checks: DataCheck[];
  /** down.sql starts with `-- irreversible: <reason>`. */
  irreversible: string | null;
  meta: MigrationMeta;
  /** SHA-256 of up.sql + down.sql (+ backfill.yaml): an applied migration whose files change is refused. */
  hash: string;
}

const NAME = /^(\d{4})_[a-z0-9_]+$/;

export function fileHash(upSql: string, downSql: string, backfillYaml?: string): string {
  const h = createHash('sha256').update(upSql).update('\0').update(downSql);
  // Absent for most migrations: their hash stays what it was before backfills existed.
  if (backfillYaml !== undefined) h.update('\0').update(backfillYaml);
  return h.digest('hex');
}

function readFrontMatter(file: string): MigrationMeta {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const m = /^---\n([\s\S]*?)\n---/.exec(text);
  let data: Record<string, unknown> = {};
  if (m?.[1]) {
    try {
      data = (parseYaml(m[1]) ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new MigrationError(`${file}: front matter is not valid YAML: ${(err as Error).message}`);
    }
  }
  const deprecates = data.deprecates ?? [];
  if (!Array.isArray(deprecates) || !deprecates.every((d) => typeof d === 'string' && /^\w+\.(\w+|\*)$/.test(d))) {
    throw new MigrationError(`${file}: deprecates must be a list of table.column (or table.*)`);
  }
  return {
    ...data,
    title: String(data.title ?? ''),
    date: data.date instanceof Date ? data.date.toISOString().slice(0, 10) : String(data.date ?? ''),
    type: String(data.type ?? 'database'),
    phase: String(data.phase ?? 'none'),
    deprecates: deprecates as string[],
    acknowledge: readAcknowledgements(data.acknowledge ?? data.acknowledges, file),
    backup: data.backup !== false,
  };
}

function readAcknowledgements(raw: unknown, file: string): Acknowledgement[] {
  if (raw === undefined || raw === null) return [];
  const bad = (why: string) => new MigrationError(`${file}: acknowledge ${why} (a list of {rule, reason, statement?})`);
  if (!Array.isArray(raw)) throw bad('must be a list');
  return raw.map((a: Record<string, unknown>) => {
    if (!a || typeof a.rule !== 'string') throw bad('items need a rule');
    if (typeof a.reason !== 'string' || a.reason.trim().length < 10) throw bad(`of ${a.rule} needs a reason of at least 10 characters`);
    if (a.statement !== undefined && !Number.isInteger(a.statement)) throw bad(`of ${a.rule}: statement must be a number`);
    return { rule: a.rule, reason: a.reason.trim(), ...(a.statement !== undefined ? { statement: a.statement as number } : {}) };
  });
}

export function loadMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`Migrations folder not found: ${dir}`);
  const out: Migration[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const m = NAME.exec(name);
    if (!m) continue;
    const upFile = join(full, 'up.sql');
    const downFile = join(full, 'down.sql');
    if (!existsSync(upFile)) throw new MigrationError(`${name}: up.sql is missing`);
    if (!existsSync(downFile)) {
      throw new MigrationError(`${name}: down.sql is missing (write the rollback, or "-- irreversible: <reason>")`);
    }
    const upSql = readFileSync(upFile, 'utf8');
    const downSql = readFileSync(downFile, 'utf8');
    const backfillFile = join(full, 'backfill.yaml');
    const backfillYaml = existsSync(backfillFile) ? readFileSync(backfillFile, 'utf8') : undefined;
    // checks.yaml is left out of the hash on purpose: checks only read, so a database that ran the
    // migration before its checks existed (or before one was sharpened) is not "edited"; the hash
    // guards what changed the schema and the data.
    const checksFile = join(full, 'checks.yaml');
    const checks = existsSync(checksFile) ? parseChecksFile(readFileSync(checksFile, 'utf8'), `${name}/checks.yaml`) : [];
    const irreversible = /^\s*--\s*irreversible:\s*(.+)$/im.exec(downSql)?.[1]?.trim() ?? null;
    const id = Number(m[1]);
    if (out.some((o) => o.id === id)) throw new MigrationError(`Two migrations share the number ${m[1]}`);
    const up = parseSqlFile(upSql, `${name}/up.sql`);
    const down = parseSqlFile(downSql, `${name}/down.sql`);
    out.push({
      id,
      name,
      dir: full,
      upSql,
      downSql,
      upStatements: up.map((s) => s.sql),
      downStatements: down.map((s) => s.sql),
      up,
      down,
      backfills: backfillYaml === undefined ? [] : parseBackfillFile(backfillYaml, `${name}/backfill.yaml`),
      checks,
      irreversible,
      meta: readFrontMatter(join(full, 'README.md')),
      hash: fileHash(upSql, downSql, backfillYaml),
    });
  }
  return out;
}
