import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MigrationError } from './errors.ts';
import { splitStatements } from './split.ts';

export { MigrationError };

export interface MigrationMeta {
  title: string;
  date: string;
  type: string;
  phase: string;
  /** `table.column` items this migration marks deprecated (a later drop is then allowed). */
  deprecates: string[];
  [key: string]: unknown;
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
  /** down.sql starts with `-- irreversible: <reason>`. */
  irreversible: string | null;
  meta: MigrationMeta;
  /** SHA-256 of up.sql + down.sql: an applied migration whose files change is refused. */
  hash: string;
}

const NAME = /^(\d{4})_[a-z0-9_]+$/;

export function fileHash(upSql: string, downSql: string): string {
  return createHash('sha256').update(upSql).update('\0').update(downSql).digest('hex');
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
  if (!Array.isArray(deprecates) || !deprecates.every((d) => typeof d === 'string' && /^\w+\.\w+$/.test(d))) {
    throw new MigrationError(`${file}: deprecates must be a list of table.column`);
  }
  return {
    ...data,
    title: String(data.title ?? ''),
    date: String(data.date ?? ''),
    type: String(data.type ?? 'database'),
    phase: String(data.phase ?? 'none'),
    deprecates: deprecates as string[],
  };
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
    const irreversible = /^\s*--\s*irreversible:\s*(.+)$/im.exec(downSql)?.[1]?.trim() ?? null;
    const id = Number(m[1]);
    if (out.some((o) => o.id === id)) throw new MigrationError(`Two migrations share the number ${m[1]}`);
    out.push({
      id,
      name,
      dir: full,
      upSql,
      downSql,
      upStatements: splitStatements(upSql, `${name}/up.sql`),
      downStatements: splitStatements(downSql, `${name}/down.sql`),
      irreversible,
      meta: readFrontMatter(join(full, 'README.md')),
      hash: fileHash(upSql, downSql),
    });
  }
  return out;
}
