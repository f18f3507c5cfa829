/** A migration problem the operator must fix; the CLI prints its message on one line. */
export class MigrationError extends Error {}
