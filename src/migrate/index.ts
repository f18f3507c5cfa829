import { fileURLToPath } from 'node:url';

export { listBackups, restoreBackup } from './backup.ts';
export { migrateDown, migrateUp, migrationStatus, type RunOptions } from './engine.ts';
export { MigrationError } from './errors.ts';
export type { EngineEvent } from './events.ts';
export { loadMigrations } from './load.ts';
export type { MigrationReport } from './runner.ts';

/** The project's own migrations folder, wherever the process was started from. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
/** The app's sources, which lint searches for dropped columns still in use. */
export const SRC_DIR = fileURLToPath(new URL('..', import.meta.url));
