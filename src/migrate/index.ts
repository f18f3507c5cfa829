import { fileURLToPath } from 'node:url';

export { type MigrationStatus, migrateDown, migrateUp, migrationStatus } from './engine.ts';
export { MigrationError } from './errors.ts';
export { loadMigrations, type Migration } from './load.ts';

/** The project's own migrations folder, wherever the process was started from. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
