/**
 * node scripts/gen-error-codes.ts   (npm run docs:errors)
 *
 * Writes the error-code table of src/error-codes.ts into README.md, between the markers
 * `<!-- error-codes:start -->` and `<!-- error-codes:end -->`, and touches nothing else in the file
 * (other generators rewrite other sections of it). src/error-codes.test.ts fails while the README
 * differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode, statusesOf } from '../src/error-codes.ts';

export const START = '<!-- error-codes:start -->';
export const END = '<!-- error-codes:end -->';
export const README = fileURLToPath(new URL('../README.md', import.meta.url));

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The lines between the markers, each ending in a newline. */
export function renderErrorCodes(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map(
    (code) => `| \`${code}\` | ${statusesOf(code).join(', ')} | ${cell(ERROR_CODES[code].meaning)} |`,
  );
  return [
    '<!-- generated from src/error-codes.ts by `npm run docs:errors`: edit the table there -->',
    '| code | status | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `body`; throws when the markers are missing. */
export function replaceSection(readme: string, body: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error(`README.md has no ${START} … ${END} section.`);
  const from = start + START.length;
  return `${readme.slice(0, from)}\n${body}${readme.slice(end)}`;
}

/** The README's current section body (what replaceSection would overwrite). */
export function currentSection(readme: string): string | null {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  return start < 0 || end < 0 ? null : readme.slice(start + START.length + 1, end);
}

if (import.meta.main) {
  // Read, replace and write at once: another generator may rewrite its own section of the file.
  const before = readFileSync(README, 'utf8');
  const after = replaceSection(before, renderErrorCodes());
  if (after !== before) writeFileSync(README, after);
  console.log(`${after === before ? 'unchanged' : 'updated'}: README.md, ${Object.keys(ERROR_CODES).length} error codes`);
}
