/** Column types shared by the row-type files of the schema. */
import type { ColumnType, Generated } from 'kysely';

/** A timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a default. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json = ColumnType<unknown, string, string>;
/** A jsonb column with a database default: optional on insert. */
export type JsonWithDefault = ColumnType<unknown, string | undefined, string>;
export type Id = Generated<number>;
export type Default<T> = ColumnType<T, T | undefined, T>;
