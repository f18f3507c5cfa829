/**
 * Generated sections of README.md: the text between `<!-- <name>:start -->` and `<!-- <name>:end -->`
 * belongs to one generator (docs:errors, docs:config), the rest of the file to people.
 */
import { fileURLToPath } from 'node:url';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

const markers = (name: string) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`] as const;

/** `readme` with the text between the markers of `name` replaced by `body`; throws when they are missing. */
export function replaceSection(readme: string, name: string, body: string): string {
  const [START, END] = markers(name);
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error(`README.md has no ${START} … ${END} section.`);
  return `${readme.slice(0, start + START.length)}\n${body}${readme.slice(end)}`;
}

/** The README's current body of section `name` (what replaceSection would overwrite), or null. */
export function currentSection(readme: string, name: string): string | null {
  const [START, END] = markers(name);
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  return start < 0 || end < 0 ? null : readme.slice(start + START.length + 1, end);
}

/** Markdown table cell: a `|` inside would end the cell. */
export const cell = (text: string) => text.replaceAll('|', '\\|');
