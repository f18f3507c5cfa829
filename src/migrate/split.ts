import { parseSqlFile } from './parse.ts';

/** Splits a SQL file into its statements (the text that runs), using the real PostgreSQL parser. */
export function splitStatements(sqlText: string, file: string): string[] {
  return parseSqlFile(sqlText, file).map((s) => s.sql);
}
