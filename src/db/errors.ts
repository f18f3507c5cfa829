/**
 * A unique violation (SQLSTATE 23505) naming `what` — a constraint or a column. PostgreSQL's
 * driver puts the constraint in `constraint`; PGlite only in the message and detail, so all
 * three are searched. Used where a race is settled by a unique index rather than a prior read.
 */
export function isUniqueViolation(err: unknown, what: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string; detail?: string } | null;
  return e?.code === '23505' && `${e.constraint ?? ''} ${e.message ?? ''} ${e.detail ?? ''}`.includes(what);
}
