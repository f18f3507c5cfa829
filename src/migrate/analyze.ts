import { analyzeAlterTable } from './analyze-alter.ts';
import { addLock, emptyInfo, LOCK_MODES, type LockMode, type StatementInfo } from './analyze-info.ts';
import { clauseAfter, type Node, names, type ParsedStatement, relName } from './parse.ts';

// The analysis's vocabulary, for the engine's other modules.
export { blocksWrites, type Destruction, LOCK_MODES, type LockMode, type StatementInfo, type TableLock } from './analyze-info.ts';

const LOCK_STMT_MODES: Record<number, LockMode> = Object.fromEntries(LOCK_MODES.map((m, i) => [i + 1, m]));

/** What a statement does to locks and data, from its parse tree alone. */
export function analyzeStatement(stmt: ParsedStatement): StatementInfo {
  const n = stmt.node;
  switch (stmt.type) {
    case 'CreateStmt':
      return analyzeCreateTable(n);
    case 'AlterTableStmt':
      return analyzeAlterTable(n, stmt.sql);
    case 'IndexStmt': {
      const info = emptyInfo(n.concurrent ? 'CREATE INDEX CONCURRENTLY' : 'CREATE INDEX');
      const table = relName(n.relation);
      addLock(info, table, n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      info.scans = true;
      info.transactional = !n.concurrent;
      info.createsIndex = { name: n.idxname ?? '', table, concurrent: Boolean(n.concurrent), unique: Boolean(n.unique) };
      return info;
    }
    case 'DropStmt':
      return analyzeDrop(n);
    case 'TruncateStmt': {
      const info = emptyInfo('TRUNCATE');
      for (const r of n.relations ?? []) {
        const table = relName(r.RangeVar);
        addLock(info, table, 'ACCESS EXCLUSIVE');
        info.destroys.push({ table, kind: 'rows' });
      }
      if (n.behavior === 'DROP_CASCADE') info.unbackedDestruction = 'TRUNCATE … CASCADE also empties every table that references these';
      return info;
    }
    case 'UpdateStmt': {
      const info = emptyInfo('UPDATE');
      addLock(info, relName(n.relation), 'ROW EXCLUSIVE');
      info.scans = true;
      return info;
    }
    case 'DeleteStmt': {
      const info = emptyInfo('DELETE');
      const table = relName(n.relation);
      addLock(info, table, 'ROW EXCLUSIVE');
      info.scans = true;
      if (n.usingClause?.length || n.withClause)
        info.unbackedDestruction = 'DELETE with USING or WITH: the engine cannot select the rows to copy';
      else {
        const where = n.whereClause ? { where: clauseAfter(stmt.sql, 'WHERE', 'RETURNING') } : {};
        info.destroys.push({
          table,
          kind: 'rows',
          ...where,
          ...(n.relation?.alias?.aliasname ? { alias: n.relation.alias.aliasname } : {}),
        });
      }
      return info;
    }
    case 'InsertStmt': {
      const info = emptyInfo('INSERT');
      addLock(info, relName(n.relation), 'ROW EXCLUSIVE');
      return info;
    }
    case 'CommentStmt': {
      const info = emptyInfo('COMMENT');
      const parts = n.object?.List ? names(n.object.List.items) : [];
      if (n.objtype === 'OBJECT_COLUMN' && parts.length >= 2) addLock(info, parts.slice(0, -1).join('.'), 'SHARE UPDATE EXCLUSIVE');
      if (n.objtype === 'OBJECT_TABLE' && parts.length) addLock(info, parts.join('.'), 'SHARE UPDATE EXCLUSIVE');
      return info;
    }
    case 'RenameStmt': {
      const info = emptyInfo('RENAME');
      if (n.relation && n.renameType !== 'OBJECT_INDEX') addLock(info, relName(n.relation), 'ACCESS EXCLUSIVE');
      return info;
    }
    case 'CreateTrigStmt': {
      const info = emptyInfo('CREATE TRIGGER');
      addLock(info, relName(n.relation), 'SHARE ROW EXCLUSIVE');
      return info;
    }
    case 'LockStmt': {
      const info = emptyInfo('LOCK');
      for (const r of n.relations ?? []) addLock(info, relName(r.RangeVar), LOCK_STMT_MODES[n.mode as number] ?? 'ACCESS EXCLUSIVE');
      return info;
    }
    case 'VacuumStmt': {
      const info = emptyInfo(n.is_vacuumcmd ? 'VACUUM' : 'ANALYZE');
      info.transactional = !n.is_vacuumcmd;
      info.scans = true;
      return info;
    }
    case 'ReindexStmt': {
      const concurrent = (n.params ?? []).some((p: Node) => p.DefElem?.defname === 'concurrently');
      const info = emptyInfo(concurrent ? 'REINDEX CONCURRENTLY' : 'REINDEX');
      info.transactional = !concurrent;
      info.scans = true;
      if (n.kind === 'REINDEX_OBJECT_TABLE' && !concurrent) addLock(info, relName(n.relation), 'SHARE');
      return info;
    }
    case 'CreateTableAsStmt': {
      const info = emptyInfo('CREATE TABLE AS');
      info.createsTables.push(relName(n.into?.rel));
      info.scans = true;
      return info;
    }
    case 'SelectStmt':
    case 'CreateSeqStmt':
    case 'CreateFunctionStmt':
    case 'CreateEnumStmt':
    case 'AlterEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateDomainStmt':
    case 'ViewStmt':
    case 'CreateSchemaStmt':
    case 'CreateExtensionStmt':
    case 'GrantStmt':
    case 'TransactionStmt':
    case 'VariableSetStmt':
      return emptyInfo(kindOf(stmt.type));
    default: {
      const info = emptyInfo(kindOf(stmt.type));
      info.unknown = true;
      return info;
    }
  }
}

function kindOf(type: string): string {
  return type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

function analyzeCreateTable(n: Node): StatementInfo {
  const info = emptyInfo('CREATE TABLE');
  const table = relName(n.relation);
  info.createsTables.push(table);
  for (const el of n.tableElts ?? []) {
    const constraints: Node[] = el.ColumnDef ? (el.ColumnDef.constraints ?? []) : el.Constraint ? [el] : [];
    for (const c of constraints) {
      const ref = c.Constraint?.contype === 'CONSTR_FOREIGN' ? relName(c.Constraint.pktable) : '';
      // A new table's foreign key locks the referenced table (SHARE ROW EXCLUSIVE) to add its triggers.
      if (ref && ref !== table) addLock(info, ref, 'SHARE ROW EXCLUSIVE');
    }
  }
  return info;
}

function analyzeDrop(n: Node): StatementInfo {
  const objects: string[] = (n.objects ?? []).map((o: Node) => (o.List ? names(o.List.items).join('.') : (o.String?.sval ?? '')));
  switch (n.removeType) {
    case 'OBJECT_TABLE': {
      const info = emptyInfo('DROP TABLE');
      for (const t of objects) {
        addLock(info, t, 'ACCESS EXCLUSIVE');
        info.destroys.push({ table: t, kind: 'table' });
      }
      return info;
    }
    case 'OBJECT_INDEX': {
      const info = emptyInfo(n.concurrent ? 'DROP INDEX CONCURRENTLY' : 'DROP INDEX');
      info.dropsIndexes = objects;
      info.transactional = !n.concurrent;
      return info;
    }
    case 'OBJECT_SCHEMA': {
      const info = emptyInfo('DROP SCHEMA');
      if (n.behavior === 'DROP_CASCADE') info.unbackedDestruction = 'DROP SCHEMA … CASCADE drops every table in it';
      return info;
    }
    default:
      return emptyInfo(`DROP ${String(n.removeType).replace('OBJECT_', '')}`);
  }
}
