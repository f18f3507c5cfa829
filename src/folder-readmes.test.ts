import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every folder directly under src/ explains itself in a README.md, and its `May import:` line
 * names what its code may import from the rest of src/: a folder (`auth`), one module of a folder
 * (`marketing/ip-hash`) or a top-level module without `.ts` (`db`, `errors`, `config`, `context`).
 * Text in parentheses and after the first full stop is commentary; `nothing` means no entries.
 * This test holds the code to that line: a new cross-folder import needs its README updated.
 */

const SRC = dirname(fileURLToPath(import.meta.url));

const FOLDERS = readdirSync(SRC, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** Static imports and re-exports (`import … from`, `import type … from`, `export … from`, `import '…'`). */
const IMPORT = /^[ \t]*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|^[ \t]*import\s*['"]([^'"]+)['"]/gm;

function importSpecifiers(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** The entries of a README's `May import:` line; null when it has none. */
function mayImport(readme: string): string[] | null {
  const line = /^[ \t]*(?:[-*][ \t]+)?May import:(.*)$/m.exec(readme);
  if (!line) return null;
  let text = (line[1] ?? '').replace(/`/g, '');
  for (let before = ''; before !== text; ) {
    before = text;
    text = text.replace(/\([^()]*\)/g, '');
  }
  const [list = ''] = text.split(/\.(?:\s|$)/);
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && !/^(nothing|none)$/i.test(s));
}

/** Source files of a folder, recursively, without tests and test kits. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'test-helpers.ts' ? [path] : [];
  });
}

/** What a relative import names inside src/ (`auth/guard`, `migrate/lint/index`, `config`); null outside src/ or for packages. */
function targetOf(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const rel = relative(SRC, resolve(dirname(file), spec))
    .split(sep)
    .join('/');
  if (rel === '' || rel.startsWith('../')) return null;
  return rel.replace(/\.(ts|js)$/, '');
}

const allows = (entries: string[], target: string) => entries.some((e) => target === e || target.startsWith(`${e}/`));

function existsInSrc(entry: string): boolean {
  if (!/^[a-z0-9-]+(\/[a-z0-9._-]+)*$/.test(entry)) return false;
  const path = join(SRC, entry);
  if (existsSync(`${path}.ts`) && !entry.endsWith('.test')) return true;
  return entry.includes('/') ? existsSync(path) && statSync(path).isDirectory() : FOLDERS.includes(entry);
}

function readme(folder: string): string | null {
  const path = join(SRC, folder, 'README.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

describe('folder READMEs', () => {
  it('reads import statements and May import lines as documented', () => {
    const source = [
      "import { a } from '../auth/guard.ts';",
      'import type {',
      '  B,',
      '  C,',
      "} from '../db/schema.ts';",
      "export { d } from './local.ts';",
      "import '../side-effect.ts';",
      ' * import { notCode } from "../comment.ts";',
      "const e = await import('../dynamic.ts');",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['../auth/guard.ts', '../db/schema.ts', './local.ts', '../side-effect.ts']);
    expect(
      mayImport('# x\n\n- May import: config (types), db (only `Db`, for a, b), marketing/ip-hash. Providers (`a.ts`) none.\n'),
    ).toEqual(['config', 'db', 'marketing/ip-hash']);
    expect(mayImport('- May import: nothing (no other folder).')).toEqual([]);
    expect(mayImport('# no line')).toBeNull();
  });

  it('every folder directly under src/ has a README.md', () => {
    expect(FOLDERS.length).toBeGreaterThan(0);
    expect(FOLDERS.filter((f) => readme(f) === null).map((f) => `src/${f}/README.md is missing`)).toEqual([]);
  });

  it('every README has a May import: line', () => {
    const lacking = FOLDERS.filter((f) => {
      const text = readme(f);
      return text !== null && mayImport(text) === null;
    });
    expect(lacking.map((f) => `src/${f}/README.md has no "May import:" line`)).toEqual([]);
  });

  it('May import: entries name src folders, their modules or top-level src modules', () => {
    const wrong = FOLDERS.flatMap((f) => {
      const entries = mayImport(readme(f) ?? '') ?? [];
      return entries.filter((e) => !existsInSrc(e)).map((e) => `src/${f}/README.md: "${e}" is no src folder or module`);
    });
    expect(wrong).toEqual([]);
  });

  it('no file imports a src folder or module its README does not allow', () => {
    let seen = 0;
    const violations = FOLDERS.flatMap((folder) => {
      const entries = mayImport(readme(folder) ?? '');
      if (entries === null) return []; // reported above
      return sourceFiles(join(SRC, folder)).flatMap((file) =>
        importSpecifiers(readFileSync(file, 'utf8')).flatMap((spec) => {
          const target = targetOf(file, spec);
          if (target === null || target.split('/')[0] === folder) return [];
          seen++;
          if (allows(entries, target)) return [];
          const where = relative(SRC, file).split(sep).join('/');
          return [`src/${where} imports '${spec}' (${target}), not on the "May import:" line of src/${folder}/README.md`];
        }),
      );
    });
    expect(violations).toEqual([]);
    // The scan must see the app's cross-folder imports at all, or the check above proves nothing.
    expect(seen).toBeGreaterThan(100);
  });

  it('no README allows what its folder does not import (a stale line misleads as much as a missing one)', () => {
    const stale = FOLDERS.flatMap((folder) => {
      const entries = mayImport(readme(folder) ?? '') ?? [];
      const targets = sourceFiles(join(SRC, folder)).flatMap((file) =>
        importSpecifiers(readFileSync(file, 'utf8')).flatMap((spec) => targetOf(file, spec) ?? []),
      );
      return entries
        .filter((e) => !targets.some((t) => allows([e], t)))
        .map((e) => `src/${folder}/README.md allows "${e}", which nothing in src/${folder} imports`);
    });
    expect(stale).toEqual([]);
  });
});
