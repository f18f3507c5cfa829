import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

/** Private to the server's user: the embedded database, secrets, sign-in codes in the outbox. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Tightens what is group- or world-readable: files of an earlier release, and the files PGlite
 * unpacks from its bundle when it creates a database (it sets their modes itself, 0666, past the
 * umask). Called before and after the embedded database opens.
 */
export function tighten(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    if (st.mode & 0o077) chmodSync(path, DIR_MODE);
    for (const name of readdirSync(path)) tighten(join(path, name));
  } else if (st.mode & 0o077) chmodSync(path, FILE_MODE);
}

/**
 * Before anything opens DATA_DIR: every file this process creates from now on is 0600 (the umask
 * covers PGlite's files too), the directory is 0700 and writable, and the mail outbox exists.
 * A DATA_DIR that cannot be written stops start-up with one line naming it (config.ts refuses
 * a file and /proc before).
 */
export function prepareDataDir(config: Config): void {
  process.umask(0o077);
  const dir = config.dataDir;
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    if (!lstatSync(dir).isDirectory()) throw new Error('not a directory');
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, '', { mode: FILE_MODE });
    rmSync(probe);
    if (config.mail.kind === 'outbox') mkdirSync(join(dir, 'outbox'), { recursive: true, mode: DIR_MODE });
    tighten(dir);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`DATA_DIR ${dir} is not a writable directory (${reason})`);
  }
}
