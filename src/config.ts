import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The whole configuration, parsed once from the environment. The only reader of process.env. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** null = embedded PGlite under dataDir/pglite. */
  databaseUrl: string | null;
  jwtSecret: string;
  publicUrl: string;
  /** Origin of the single-page client, used in e-mailed links. */
  clientOrigin: string;
  corsOrigins: string[] | '*';
  staticDir: string | null;
  migrateOnStart: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  /** Shared rate-limit counters across instances; null = in memory. */
  redisUrl: string | null;
  /** Trust X-Forwarded-For from a load balancer in front (client IPs for rate limits). */
  trustProxy: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  try {
    new URL(v);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${v}"`);
  }
  return v.replace(/\/+$/, '');
}

/**
 * The embedded default must run without any setup, so a missing JWT_SECRET is generated once
 * and kept in DATA_DIR: restarts keep sessions valid. With DATABASE_URL (several instances)
 * every instance must share one secret, so it is required there.
 */
function jwtSecret(env: Env, dataDir: string, databaseUrl: string | null): string {
  const given = env.JWT_SECRET?.trim();
  if (given) {
    if (given.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
    return given;
  }
  if (databaseUrl) {
    throw new ConfigError('JWT_SECRET is required with DATABASE_URL: every instance must share it');
  }
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(str(env, 'DATA_DIR', './data'));
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`);
  const cors = str(env, 'CORS_ORIGINS', '*');
  const staticDir = env.STATIC_DIR?.trim() ? resolve(env.STATIC_DIR.trim()) : null;
  if (staticDir && !existsSync(join(staticDir, 'index.html'))) {
    throw new ConfigError(`STATIC_DIR must contain index.html: ${staticDir}`);
  }
  return Object.freeze({
    port,
    host: str(env, 'HOST', '127.0.0.1'),
    dataDir,
    databaseUrl,
    jwtSecret: jwtSecret(env, dataDir, databaseUrl),
    publicUrl,
    clientOrigin: url(env, 'CLIENT_ORIGIN', publicUrl),
    corsOrigins:
      cors === '*'
        ? '*'
        : Object.freeze(
            cors
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          ),
    staticDir,
    migrateOnStart: bool(env, 'MIGRATE_ON_START', true),
    logLevel: str(env, 'LOG_LEVEL', 'info'),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    redisUrl: env.REDIS_URL?.trim() || null,
    trustProxy: bool(env, 'TRUST_PROXY', false),
  }) as Config;
}
