import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type Env, optional } from './config-env.ts';

/** The legacy admin console on its own listener (ADMIN_PORT), same-origin with its API. */
export interface AdminConsoleConfig {
  /** null = the console's listener is off. */
  port: number | null;
  /** The console's built files (index.html + assets); null = only its API is served. */
  staticDir: string | null;
  /** Origins the console is reached at: mutating requests must come from one of them (CSRF). */
  origins: readonly string[];
}

function origin(name: string, raw: string): string {
  try {
    const u = new URL(raw);
    if (u.origin === 'null' || u.origin !== raw.replace(/\/+$/, '')) throw new Error('not an origin');
    return u.origin;
  } catch {
    throw new ConfigError(`${name} must be a comma-separated list of origins like https://admin.example.com, got "${raw}"`);
  }
}

export function adminConsoleConfig(env: Env): AdminConsoleConfig {
  const rawPort = optional(env, 'ADMIN_PORT');
  const port = rawPort === null ? null : Number(rawPort);
  if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new ConfigError(`ADMIN_PORT must be a whole number from 0 to 65535, got "${rawPort}"`);
  }
  const dir = optional(env, 'ADMIN_STATIC_DIR');
  const staticDir = dir ? resolve(dir) : null;
  if (staticDir && !existsSync(join(staticDir, 'index.html'))) {
    throw new ConfigError(`ADMIN_STATIC_DIR must contain index.html (the console's built files): ${staticDir}`);
  }
  const list = optional(env, 'ADMIN_ORIGIN');
  const origins = list
    ? list.split(',').map((o) => origin('ADMIN_ORIGIN', o.trim()))
    : [`http://localhost:${port ?? 0}`, `http://127.0.0.1:${port ?? 0}`];
  return Object.freeze({ port, staticDir, origins: Object.freeze(origins) });
}
