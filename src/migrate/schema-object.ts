/** The objects a schema snapshot is made of, and the order a schema is built in. */

/** The kinds in the order a schema is built: each may depend only on kinds before it. */
export const KINDS = [
  'extension',
  'type',
  'sequence',
  'function',
  'table',
  'column',
  'constraint',
  'index',
  'trigger',
  'view',
  'comment',
] as const;
type ObjectKind = (typeof KINDS)[number];

/** One object of the application schema, with the SQL that creates and drops it. */
export interface SchemaObject {
  kind: ObjectKind;
  /** `table`, `table.column`, `table.constraint`, `index`, `name(args)`, … */
  key: string;
  /** What must be equal for two schemas to agree on this object. */
  def: string;
  create: string;
  drop: string;
  /** constraint: FOREIGN KEYs are built after every other constraint (they need the referenced keys). */
  order?: number;
  table?: string;
  column?: ColumnRow;
}

export interface ColumnRow {
  t: string;
  c: string;
  type: string;
  notnull: boolean;
  dflt: string | null;
  identity: string;
  generated: string;
  num: number;
}

export function sortObjects(list: SchemaObject[]): SchemaObject[] {
  const rank = (o: SchemaObject) => KINDS.indexOf(o.kind) * 10 + (o.order ?? 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key));
}

/**
 * The statements that build `objects` on an empty schema: a table's columns come with its CREATE
 * TABLE, everything else in dependency order.
 */
export function buildSql(objects: SchemaObject[]): string[] {
  return sortObjects(objects)
    .filter((o) => o.kind !== 'column')
    .map((o) => o.create);
}
