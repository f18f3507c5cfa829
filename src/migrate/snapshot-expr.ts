/** Normalising the text of a CHECK expression the catalog renders, so a rebuilt schema compares equal. */

type Part = string | Part[];

function parts(s: string, from: number): [Part[], number] {
  const out: Part[] = [];
  let buf = '';
  let i = from;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch === "'") {
      let j = i + 1;
      while (j < s.length && !(s[j] === "'" && s[j + 1] !== "'")) j += s[j] === "'" ? 2 : 1;
      buf += s.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '(' || ch === ')') {
      if (buf) out.push(buf);
      buf = '';
      if (ch === ')') return [out, i + 1];
      const [inner, next] = parts(s, i + 1);
      out.push(inner);
      i = next;
    } else {
      buf += ch;
      i++;
    }
  }
  if (buf) out.push(buf);
  return [out, i];
}

const andChain = (list: Part[]) => {
  const text = list.filter((p) => typeof p === 'string').join('');
  return text.includes(' AND ') && !text.includes(' OR ') && list.every((p, i) => typeof p !== 'string' || p === ' AND ' || i === 0);
};

function flatten(list: Part[]): Part[] {
  const mapped = list.map((p) => (typeof p === 'string' ? p : flatten(p)));
  if (!andChain(mapped)) return mapped;
  return mapped.flatMap((p) => (typeof p !== 'string' && andChain(p) ? p : [p]));
}

const render = (list: Part[]): string => list.map((p) => (typeof p === 'string' ? p : `(${render(p)})`)).join('');

/**
 * `(a AND b) AND c` as `a AND b AND c`: PostgreSQL keeps a nested AND from BETWEEN in the catalog
 * but flattens it when the rendered text is parsed again, so a schema rebuilt from its own
 * definitions (a squashed baseline) would otherwise differ in text only.
 */
export function normalizeExpr(def: string): string {
  return render(flatten(parts(def, 0)[0]));
}
