import { addLock, emptyInfo, type StatementInfo } from './analyze-info.ts';
import { type Node, names, relName } from './parse.ts';

/** Functions whose value differs per row: a column default calling one makes ADD COLUMN rewrite the table. */
export const VOLATILE_FUNCTIONS = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setseed',
  'txid_current',
]);

export const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

/** Function names called anywhere in an expression tree. */
export function calledFunctions(node: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Node;
      if (o.FuncCall) out.push(names(o.FuncCall.funcname).at(-1) ?? '');
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(node);
  return out;
}

export function columnConstraints(def: Node): Node[] {
  return (def.constraints ?? []).map((c: Node) => c.Constraint).filter(Boolean);
}

export function typeNameOf(def: Node): string {
  return names(def.typeName?.names).at(-1) ?? '';
}

/** Does adding this column fill every existing row with a value computed per row (a rewrite)? */
export function addColumnRewrites(def: Node, volatile: Set<string> = VOLATILE_FUNCTIONS): boolean {
  if (SERIAL_TYPES.has(typeNameOf(def))) return true;
  for (const c of columnConstraints(def)) {
    if (c.contype === 'CONSTR_IDENTITY') return true;
    if (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') return true;
    if (c.contype === 'CONSTR_DEFAULT' && calledFunctions(c.raw_expr).some((f) => volatile.has(f))) return true;
  }
  return false;
}

/**
 * ALTER TABLE takes ACCESS EXCLUSIVE "unless explicitly noted" (PostgreSQL docs); the noted
 * exceptions are below. Several subcommands take the strongest of their locks.
 */
export function analyzeAlterTable(n: Node, _sql: string): StatementInfo {
  const info = emptyInfo('ALTER TABLE');
  if (n.objtype && n.objtype !== 'OBJECT_TABLE') {
    info.kind = `ALTER ${String(n.objtype).replace('OBJECT_', '')}`;
    info.unknown = true;
    return info;
  }
  const table = relName(n.relation);
  for (const raw of n.cmds ?? []) {
    const cmd = raw.AlterTableCmd as Node;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        addLock(info, table, 'ACCESS EXCLUSIVE');
        const def = cmd.def?.ColumnDef as Node;
        if (addColumnRewrites(def)) info.rewrites = true;
        for (const c of columnConstraints(def)) {
          if (c.contype === 'CONSTR_FOREIGN') {
            addLock(info, relName(c.pktable), 'SHARE ROW EXCLUSIVE');
            info.scans = true;
          }
          if (c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') info.scans = true;
        }
        break;
      }
      case 'AT_DropColumn':
        addLock(info, table, 'ACCESS EXCLUSIVE');
        pushColumns(info, table, cmd.name);
        break;
      case 'AT_AlterColumnType':
        addLock(info, table, 'ACCESS EXCLUSIVE');
        // Binary-compatible changes (varchar → text, a larger varchar) skip the rewrite, but that
        // depends on the current type: the plan refines this with the catalog.
        info.rewrites = true;
        pushColumns(info, table, cmd.name);
        break;
      case 'AT_SetNotNull':
        addLock(info, table, 'ACCESS EXCLUSIVE');
        info.scans = true;
        break;
      case 'AT_AddConstraint':
        analyzeAddConstraint(info, table, cmd.def?.Constraint as Node);
        break;
      case 'AT_ValidateConstraint':
        addLock(info, table, 'SHARE UPDATE EXCLUSIVE');
        info.scans = true;
        info.validates.push(`${table}.${cmd.name}`);
        break;
      case 'AT_SetStatistics':
      case 'AT_SetOptions':
      case 'AT_ResetOptions':
      case 'AT_ClusterOn':
      case 'AT_DropCluster':
      case 'AT_AttachPartition':
        addLock(info, table, 'SHARE UPDATE EXCLUSIVE');
        break;
      case 'AT_EnableTrig':
      case 'AT_DisableTrig':
      case 'AT_EnableTrigAll':
      case 'AT_DisableTrigAll':
      case 'AT_EnableTrigUser':
      case 'AT_DisableTrigUser':
        addLock(info, table, 'SHARE ROW EXCLUSIVE');
        break;
      case 'AT_SetLogged':
      case 'AT_SetUnLogged':
      case 'AT_SetTableSpace':
        addLock(info, table, 'ACCESS EXCLUSIVE');
        info.rewrites = true;
        break;
      default:
        addLock(info, table, 'ACCESS EXCLUSIVE');
    }
  }
  return info;
}

function pushColumns(info: StatementInfo, table: string, column: string): void {
  const have = info.destroys.find((d) => d.table === table && d.kind === 'columns');
  if (have) have.columns?.push(column);
  else info.destroys.push({ table, kind: 'columns', columns: [column] });
}

function analyzeAddConstraint(info: StatementInfo, table: string, c: Node): void {
  const name = c.conname ? `${table}.${c.conname}` : '';
  switch (c.contype) {
    case 'CONSTR_FOREIGN':
      // The documented exception: a foreign key takes SHARE ROW EXCLUSIVE on both tables.
      addLock(info, table, 'SHARE ROW EXCLUSIVE');
      addLock(info, relName(c.pktable), 'SHARE ROW EXCLUSIVE');
      if (c.skip_validation) info.addsNotValid.push(name);
      else info.scans = true;
      break;
    case 'CONSTR_CHECK':
    case 'CONSTR_NOTNULL':
      addLock(info, table, 'ACCESS EXCLUSIVE');
      if (c.skip_validation) info.addsNotValid.push(name);
      else info.scans = true;
      break;
    default:
      // UNIQUE / PRIMARY KEY / EXCLUDE build an index under ACCESS EXCLUSIVE, unless USING INDEX.
      addLock(info, table, 'ACCESS EXCLUSIVE');
      if (!c.indexname) info.scans = true;
  }
}
