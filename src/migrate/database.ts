/**
 * The migration engine's one door to the app: the database handles it runs on (PGlite or
 * PostgreSQL, the same `Database` the server uses). Every other file of src/migrate imports only
 * src/migrate and packages (checked by `npm run lint:deps`), so publishing the engine alone means
 * replacing this file; the app in turn reaches the engine only through `index.ts`.
 */
export { type Database, openPglite, openPostgres } from '../db/index.ts';
