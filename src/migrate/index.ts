/**
 * The public surface of the migration engine: the CLI (and any other host) imports only this file
 * (checked by `npm run lint:deps`). See README.md beside it.
 */
import { fileURLToPath } from 'node:url';

export { listBackups, restoreBackup } from './backup.ts';
export { loadBaseline } from './baseline.ts';
export { docsPath, isStale, renderDocs } from './docs.ts';
export { describeDrift, detectDrift, driftGuard } from './drift.ts';
export { migrateDown, migrateUp, migrationStatus, type RunOptions, runner } from './engine.ts';
export { MigrationError } from './errors.ts';
export type { EngineEvent } from './events.ts';
export { lintMigrations } from './lint/index.ts';
export { githubAnnotations, sarifLog, summaryTable } from './lint/report.ts';
export { loadMigrations } from './load.ts';
export { type MigrationPlan, planMigrations } from './plan.ts';
export type { MigrationReport } from './runner.ts';
export { applyPlan, parsePlan, planMarkdown, savePlan } from './saved-plan.ts';
export { squashMigrations } from './squash.ts';
export { verifyMigrations, withScratchDatabase } from './verify.ts';

/** The project's own migrations folder, wherever the process was started from. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
/** The app's sources, which lint searches for dropped columns still in use. */
export const SRC_DIR = fileURLToPath(new URL('..', import.meta.url));
