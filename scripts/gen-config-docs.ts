/**
 * node scripts/gen-config-docs.ts [--check]   (npm run docs:config)
 *
 * Writes `.env.example` and the README's configuration tables (between `<!-- config:start -->` and
 * `<!-- config:end -->`) from the variable list in src/config-vars.ts. With --check it writes
 * nothing and exits 1 when either file differs; src/config-vars.test.ts fails in that case too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_SECTIONS, type ConfigVariable } from '../src/config-vars.ts';
import { cell, README, replaceSection } from './readme-sections.ts';

export const ENV_EXAMPLE = fileURLToPath(new URL('../.env.example', import.meta.url));

/** Variables that share one doc (the ones after the first have none), in order. */
function groups(variables: readonly ConfigVariable[]): ConfigVariable[][] {
  const out: ConfigVariable[][] = [];
  for (const v of variables) {
    if (v.doc !== undefined || out.length === 0) out.push([v]);
    else out[out.length - 1]?.push(v);
  }
  return out;
}

/** Greedy word wrap of a comment, so .env.example reads in a terminal. */
function comment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

export function renderEnvExample(): string {
  const out = [
    '# QuickChat Server configuration. Every variable is optional on the embedded default.',
    '# Copy to .env (not read automatically: export them, or use `node --env-file=.env`).',
    '# Generated from src/config-vars.ts by `npm run docs:config`: edit the list there.',
  ];
  for (const section of CONFIG_SECTIONS) {
    out.push('', `# --- ${section.title} ---`);
    for (const group of groups(section.variables)) {
      out.push(...comment(group[0]?.doc ?? ''));
      for (const v of group) {
        // Sourced by shells and by `node --env-file`: a value that needs escaping would read differently in each.
        if (/["$`\\]/.test(v.example)) throw new Error(`${v.name}: the example value may not contain " $ \` or \\`);
        out.push(`${v.name}="${v.example}"`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderConfigTables(): string {
  const out = ['<!-- generated from src/config-vars.ts by `npm run docs:config`: edit the list there -->'];
  for (const section of CONFIG_SECTIONS) {
    out.push('', `### ${section.title}`, '', '| Variable | Default | Meaning |', '|---|---|---|');
    for (const group of groups(section.variables)) {
      const first = group[0] as ConfigVariable;
      const defaults = group.map((v) => (v.example ? `\`${v.example}\`` : '—'));
      const shown = first.defaultText ?? (defaults.every((d) => d === '—') ? '—' : defaults.join(', '));
      out.push(`| ${group.map((v) => `\`${v.name}\``).join(', ')} | ${cell(shown)} | ${cell(first.doc ?? '')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  if (process.argv.slice(2).some((a) => a !== '--check')) {
    console.error('usage: node scripts/gen-config-docs.ts [--check]');
    process.exit(2);
  }
  const readme = readFileSync(README, 'utf8');
  const files = [
    { path: ENV_EXAMPLE, before: readFileSync(ENV_EXAMPLE, 'utf8'), after: renderEnvExample() },
    // Read, replace and write at once: another generator may rewrite its own section of the README.
    { path: README, before: readme, after: replaceSection(readme, 'config', renderConfigTables()) },
  ];
  const stale = files.filter((f) => f.before !== f.after);
  if (check) {
    for (const f of stale) console.error(`stale: ${f.path} (run npm run docs:config)`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const f of stale) writeFileSync(f.path, f.after);
  const count = CONFIG_SECTIONS.reduce((n, s) => n + s.variables.length, 0);
  console.log(`${stale.length ? `updated: ${stale.map((f) => f.path).join(', ')}` : 'unchanged'}; ${count} variables`);
}
