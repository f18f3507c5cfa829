/**
 * node scripts/gen-error-codes.ts   (npm run docs:errors)
 *
 * Writes the error-code table of src/error-codes.ts into README.md, between the markers
 * `<!-- error-codes:start -->` and `<!-- error-codes:end -->`, and touches nothing else in the file
 * (other generators rewrite other sections of it). src/error-codes.test.ts fails while the README
 * differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCode, statusesOf } from '../src/error-codes.ts';
import { cell, README, replaceSection } from './readme-sections.ts';

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

if (import.meta.main) {
  // Read, replace and write at once: another generator may rewrite its own section of the file.
  const before = readFileSync(README, 'utf8');
  const after = replaceSection(before, 'error-codes', renderErrorCodes());
  if (after !== before) writeFileSync(README, after);
  console.log(`${after === before ? 'unchanged' : 'updated'}: README.md, ${Object.keys(ERROR_CODES).length} error codes`);
}
