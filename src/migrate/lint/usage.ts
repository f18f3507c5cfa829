import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Usage {
  file: string;
  line: number;
  text: string;
}

const cache = new Map<string, { file: string; lines: string[] }[]>();

const NOT_APP_CODE = new Set(['migrate', 'import']);

/**
 * The app's TypeScript sources: not tests, not the migration engine itself, and not the Xano
 * importer, which names the legacy schema's columns (media_asset.owner_type…) because it reads them
 * from the old system, never from ours.
 */
function sources(srcDir: string): { file: string; lines: string[] }[] {
  let files = cache.get(srcDir);
  if (files) return files;
  files = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (!NOT_APP_CODE.has(relative(srcDir, full))) walk(full);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
        files?.push({ file: relative(join(srcDir, '..'), full), lines: readFileSync(full, 'utf8').split('\n') });
      }
    }
  };
  walk(srcDir);
  cache.set(srcDir, files);
  return files;
}

/**
 * Where the app still names a column (in a file that also names its table) or a table. A word
 * match, not a parse of the app's SQL: it errs on the side of reporting, and a false alarm can be
 * acknowledged with its reason.
 */
export function findUsages(srcDir: string, table: string, column: string | null): Usage[] {
  const bare = table.split('.').at(-1) as string;
  const tableRe = new RegExp(`\\b${bare}\\b`);
  const wordRe = column ? new RegExp(`\\b${column}\\b`) : new RegExp(`['"\`.]${bare}\\b|\\b${bare}['"\`]`);
  const out: Usage[] = [];
  for (const f of sources(srcDir)) {
    if (column && !f.lines.some((l) => tableRe.test(l))) continue;
    f.lines.forEach((text, i) => {
      if (wordRe.test(text)) out.push({ file: f.file, line: i + 1, text: text.trim() });
    });
  }
  return out;
}
