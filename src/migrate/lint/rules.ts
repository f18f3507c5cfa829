import { addColumnRewrites, calledFunctions, columnConstraints, SERIAL_TYPES, typeNameOf, VOLATILE_FUNCTIONS } from '../analyze-alter.ts';
import type { Migration } from '../load.ts';
import { type Node, names, type ParsedStatement, relName } from '../parse.ts';
import type { RuleId } from './catalogue.ts';
import { findUsages } from './usage.ts';

export interface RawFinding {
  rule: RuleId;
  message: string;
}

export interface StatementContext {
  m: Migration;
  earlier: Migration[];
  /** Tables created by this migration's up.sql (any statement): empty, so locks and scans are free. */
  createdHere: Set<string>;
  /** Indexes created by this migration's up.sql. */
  indexesHere: Set<string>;
  /** `table.column` with a CHECK (column IS NOT NULL) added earlier in this migration. */
  notNullChecks: Set<string>;
  /** Functions the target database knows to be volatile (beyond the built-in list). */
  volatile: Set<string>;
  srcDir: string | null;
}

/** Every static finding for one up.sql statement. */
export function checkStatement(s: ParsedStatement, ctx: StatementContext): RawFinding[] {
  const out: RawFinding[] = [];
  const n = s.node;
  const isNew = (t: string) => ctx.createdHere.has(t);
  columnTypeRules(s, out);
  foreignKeyRules(s, out);
  switch (s.type) {
    case 'TransactionStmt':
      out.push({ rule: 'transaction-control', message: "BEGIN/COMMIT/ROLLBACK inside a migration fights the engine's own transactions." });
      break;
    case 'IndexStmt':
      if (!n.concurrent && !isNew(relName(n.relation))) {
        out.push({
          rule: 'index-without-concurrently',
          message: `CREATE INDEX on existing table ${relName(n.relation)} blocks its writes (SHARE lock) for the whole build.`,
        });
      }
      break;
    case 'DropStmt':
      dropRules(n, ctx, out);
      break;
    case 'ReindexStmt':
      if (!(n.params ?? []).some((p: Node) => p.DefElem?.defname === 'concurrently')) {
        out.push({
          rule: 'index-without-concurrently',
          message: 'REINDEX without CONCURRENTLY blocks writes to the table while it rebuilds.',
        });
      }
      break;
    case 'TruncateStmt':
      if (n.behavior === 'DROP_CASCADE')
        out.push({
          rule: 'truncate-cascade',
          message: 'TRUNCATE … CASCADE also empties every table with a foreign key to these, unnamed here.',
        });
      break;
    case 'UpdateStmt':
    case 'DeleteStmt': {
      const t = relName(n.relation);
      if (!isNew(t)) {
        out.push({
          rule: 'unbatched-update',
          message: `${s.type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} of existing table ${t} in one statement locks every row it touches until the migration commits.`,
        });
      }
      break;
    }
    case 'RenameStmt':
      if ((n.renameType === 'OBJECT_COLUMN' || n.renameType === 'OBJECT_TABLE') && !isNew(relName(n.relation))) {
        const what = n.renameType === 'OBJECT_COLUMN' ? `column ${relName(n.relation)}.${n.subname}` : `table ${relName(n.relation)}`;
        out.push({
          rule: 'rename',
          message: `Renaming ${what} to ${n.newname} breaks the running app version, which still uses the old name.`,
        });
      }
      break;
    case 'AlterTableStmt':
      alterRules(n, ctx, out);
      break;
  }
  return out;
}

function dropRules(n: Node, ctx: StatementContext, out: RawFinding[]): void {
  const objects: string[] = (n.objects ?? []).map((o: Node) => (o.List ? names(o.List.items).join('.') : (o.String?.sval ?? '')));
  if (n.removeType === 'OBJECT_INDEX' && !n.concurrent) {
    for (const i of objects.filter((x) => !ctx.indexesHere.has(x))) {
      out.push({
        rule: 'index-without-concurrently',
        message: `DROP INDEX ${i} takes ACCESS EXCLUSIVE on its table; queued behind a long query it blocks every reader.`,
      });
    }
  }
  if (n.removeType === 'OBJECT_TABLE') {
    for (const t of objects.filter((x) => !ctx.createdHere.has(x))) dropped(ctx, t, null, out);
  }
}

function dropped(ctx: StatementContext, table: string, column: string | null, out: RawFinding[]): void {
  const item = column ? `${table}.${column}` : `${table}.*`;
  const deprecatedBy = ctx.earlier.find((e) => e.meta.deprecates.includes(item) || e.meta.deprecates.includes(`${table}.*`));
  const what = column ? `column ${table}.${column}` : `table ${table}`;
  if (!deprecatedBy) {
    out.push({
      rule: 'drop-without-deprecation',
      message: `Drops ${what}, which no earlier migration deprecates (front matter deprecates: [${item}]).`,
    });
  }
  if (ctx.srcDir) {
    const uses = findUsages(ctx.srcDir, table, column);
    if (uses.length) {
      const where = uses
        .slice(0, 3)
        .map((u) => `${u.file}:${u.line}`)
        .join(', ');
      out.push({
        rule: 'dropped-column-in-use',
        message: `Drops ${what}, still used by the app: ${where}${uses.length > 3 ? ` and ${uses.length - 3} more` : ''}.`,
      });
    }
  }
}

function alterRules(n: Node, ctx: StatementContext, out: RawFinding[]): void {
  const table = relName(n.relation);
  if (ctx.createdHere.has(table) || (n.objtype && n.objtype !== 'OBJECT_TABLE')) return;
  for (const raw of n.cmds ?? []) {
    const cmd = raw.AlterTableCmd as Node;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = cmd.def.ColumnDef as Node;
        const cons = columnConstraints(def);
        const hasDefault = cons.some(
          (c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED',
        );
        if (cons.some((c) => c.contype === 'CONSTR_NOTNULL') && !hasDefault && !SERIAL_TYPES.has(typeNameOf(def))) {
          out.push({
            rule: 'not-null-without-default',
            message: `ADD COLUMN ${def.colname} NOT NULL without a DEFAULT fails on a populated ${table}.`,
          });
        }
        if (addColumnRewrites(def, new Set([...VOLATILE_FUNCTIONS, ...ctx.volatile]))) {
          const fns = calledFunctions(def).join(', ');
          out.push({
            rule: 'volatile-default',
            message: `ADD COLUMN ${def.colname} with a per-row value${fns ? ` (${fns})` : ''} rewrites ${table} under ACCESS EXCLUSIVE.`,
          });
        }
        for (const c of cons) {
          if (c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') {
            out.push({
              rule: 'constraint-not-valid',
              message: `ADD COLUMN ${def.colname} with an inline ${c.contype === 'CONSTR_CHECK' ? 'CHECK' : 'REFERENCES'} validates every row of ${table} while locked.`,
            });
          }
          if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') {
            out.push({
              rule: 'unique-without-index',
              message: `ADD COLUMN ${def.colname} UNIQUE builds an index on ${table} under ACCESS EXCLUSIVE.`,
            });
          }
        }
        break;
      }
      case 'AT_DropColumn':
        dropped(ctx, table, cmd.name, out);
        break;
      case 'AT_AlterColumnType':
        out.push({
          rule: 'type-change',
          message: `Changing the type of ${table}.${cmd.name} rewrites the table (and its indexes) under ACCESS EXCLUSIVE, and breaks readers of the old type.`,
        });
        break;
      case 'AT_SetNotNull':
        if (!ctx.notNullChecks.has(`${table}.${cmd.name}`)) {
          out.push({ rule: 'set-not-null', message: `SET NOT NULL on ${table}.${cmd.name} scans the whole table under ACCESS EXCLUSIVE.` });
        }
        break;
      case 'AT_AddConstraint': {
        const c = cmd.def.Constraint as Node;
        if ((c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') && !c.skip_validation) {
          out.push({
            rule: 'constraint-not-valid',
            message: `${c.contype === 'CONSTR_CHECK' ? 'CHECK' : 'FOREIGN KEY'} ${c.conname ?? ''} on ${table} validates every row while it holds its lock.`,
          });
        }
        if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_EXCLUSION') && !c.indexname) {
          out.push({
            rule: 'unique-without-index',
            message: `${c.contype.replace('CONSTR_', '')} constraint ${c.conname ?? ''} builds its index on ${table} under ACCESS EXCLUSIVE.`,
          });
        }
        break;
      }
    }
  }
}

/** Column types the house style replaces (json, varchar(n)/char(n), timestamp, serial). */
function columnTypeRules(s: ParsedStatement, out: RawFinding[]): void {
  const defs: Node[] = [];
  if (s.type === 'CreateStmt') for (const el of s.node.tableElts ?? []) if (el.ColumnDef) defs.push(el.ColumnDef);
  if (s.type === 'AlterTableStmt') {
    for (const raw of s.node.cmds ?? []) {
      const cmd = raw.AlterTableCmd;
      if ((cmd.subtype === 'AT_AddColumn' || cmd.subtype === 'AT_AlterColumnType') && cmd.def?.ColumnDef)
        defs.push({ ...cmd.def.ColumnDef, colname: cmd.def.ColumnDef.colname ?? cmd.name });
    }
  }
  for (const d of defs) {
    const type = typeNameOf(d);
    const col = d.colname;
    if (type === 'json')
      out.push({ rule: 'prefer-jsonb', message: `Column ${col} is json: no equality, no indexes, duplicate keys kept.` });
    if ((type === 'varchar' || type === 'bpchar') && d.typeName?.typmods) {
      out.push({
        rule: 'prefer-text',
        message: `Column ${col} is ${type === 'bpchar' ? 'char' : 'varchar'}(n): raising the limit later is a migration of its own.`,
      });
    }
    if (type === 'timestamp')
      out.push({ rule: 'prefer-timestamptz', message: `Column ${col} is timestamp without time zone: instants lose their offset.` });
    if (SERIAL_TYPES.has(type))
      out.push({ rule: 'prefer-identity', message: `Column ${col} is ${type}: its sequence has its own owner and permissions.` });
  }
}

/** Every foreign key needs an explicit ON DELETE (the account erasure relies on it). */
function foreignKeyRules(s: ParsedStatement, out: RawFinding[]): void {
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const c = (x as Node).Constraint;
      if (c?.contype === 'CONSTR_FOREIGN' && (!c.fk_del_action || c.fk_del_action === 'a')) {
        out.push({
          rule: 'fk-on-delete',
          message: `Foreign key ${c.conname ? `${c.conname} ` : ''}to ${relName(c.pktable)} has no explicit ON DELETE (NO ACTION).`,
        });
      }
      for (const v of Object.values(x as Node)) walk(v);
    }
  };
  walk(s.node);
}
