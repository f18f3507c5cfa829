/**
 * node scripts/arch-stats.ts [--json] [--check]
 *
 * The shape of src/ as issue #19 measures it: import arrows between folders, the arrows that lie
 * on a folder cycle (an arrow A → B where B also reaches A: one of the two points back up),
 * folder cycles (strongly connected groups of folders), file cycles, and the longest functions.
 * Files at the root of src/ count as folders of their own. The graph is dependency-cruiser's (tests excluded, type-only imports included).
 * With --check (in `npm run lint`) it exits 1 when any folder lies on a cycle: dependency-cruiser checks files, this checks folders.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import ts from 'typescript';

interface Cruise {
  modules: { source: string; dependencies: { resolved: string; circular: boolean }[] }[];
  summary: { violations: { rule: { name: string } }[] };
}

const { values } = parseArgs({ options: { json: { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log(
    'Usage: node scripts/arch-stats.ts [--json] [--check]\nPrints folder arrows, back-arrows, folder and file cycles, longest functions of src/.\n--check: exit 1 when folders import each other in a cycle.',
  );
  process.exit(0);
}

/** .dependency-cruiser.cjs's graph and verdicts; depcruise exits non-zero when a rule is broken. */
function cruiseSrc(): Cruise {
  try {
    return JSON.parse(
      execFileSync('npx', ['depcruise', 'src', '--output-type', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
    );
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (!out) throw err;
    return JSON.parse(out);
  }
}
const cruise = cruiseSrc();

/** A folder of src/, or a file at its root (app.ts, context.ts, config.ts… are each a layer). */
const folder = (p: string) => p.split('/').slice(0, 2).join('/');
const own = cruise.modules.filter((m) => m.source.startsWith('src/'));
const edges = new Map<string, Set<string>>();
let fileCycleEdges = 0;
for (const m of own)
  for (const d of m.dependencies) {
    if (!d.resolved.startsWith('src/')) continue;
    if (d.circular) fileCycleEdges++;
    const a = folder(m.source);
    const b = folder(d.resolved);
    if (a === b) continue;
    if (!edges.has(a)) edges.set(a, new Set());
    edges.get(a)?.add(b);
  }

/** Tarjan's strongly connected components over the folder graph. */
function components(nodes: string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        on.delete(w);
        c.push(w);
        if (w === v) break;
      }
      out.push(c);
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])])];
const sccs = components(nodes).filter((c) => c.length > 1);
const inScc = new Map(sccs.flatMap((c, i) => c.map((n) => [n, i] as const)));
let arrows = 0;
let back = 0;
for (const [a, bs] of edges)
  for (const b of bs) {
    arrows++;
    if (inScc.has(a) && inScc.get(a) === inScc.get(b)) back++;
  }

const fileCycles = cruise.summary.violations.filter((v) => v.rule.name === 'no-circular').length;

/** Function lengths in lines, over src/ (tests excluded). */
const longest: { where: string; lines: number }[] = [];
for (const m of own) {
  if (!m.source.endsWith('.ts')) continue;
  const text = readFileSync(m.source, 'utf8');
  const file = ts.createSourceFile(m.source, text, ts.ScriptTarget.Latest, true);
  const walk = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const a = file.getLineAndCharacterOfPosition(n.getStart()).line;
      const b = file.getLineAndCharacterOfPosition(n.getEnd()).line;
      const name = (n as ts.FunctionDeclaration).name?.getText() ?? '(anonymous)';
      longest.push({ where: `${m.source}:${a + 1} ${name}`, lines: b - a + 1 });
    }
    ts.forEachChild(n, walk);
  };
  walk(file);
}
longest.sort((x, y) => y.lines - x.lines);

const report = {
  folders: nodes.length,
  arrows,
  backArrows: back,
  folderCycles: sccs.length,
  foldersInCycles: sccs.map((c) => c.sort()),
  fileCycles,
  fileCycleEdges,
  longestFunctions: longest.slice(0, 5),
};
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`folders ${report.folders}, import arrows between folders ${arrows}, on folder cycles ${back}`);
  console.log(`folder cycles ${sccs.length}${sccs.map((c) => `\n  ${c.join(' ↔ ')}`).join('')}`);
  console.log(`file cycles (dependency-cruiser) ${fileCycles}`);
  console.log(`longest functions:${report.longestFunctions.map((f) => `\n  ${f.lines} lines  ${f.where}`).join('')}`);
}
if (values.check && (sccs.length > 0 || fileCycles > 0)) {
  console.error(`arch: ${sccs.length} folder cycle(s), ${fileCycles} file cycle(s): imports between folders must point one way.`);
  process.exit(1);
}
