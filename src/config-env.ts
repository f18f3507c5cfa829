import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Readers of single environment variables, shared by the config modules (src/config*.ts). */

export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>;

export function str(env: Env, name: string, fallback: string): string {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? fallback : v;
}

/** The trimmed value, or null when unset or blank. */
export function optional(env: Env, name: string): string | null {
  return env[name]?.trim() || null;
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function url(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  try {
    new URL(v);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${v}"`);
  }
  return v.replace(/\/+$/, '');
}

export function required(env: Env, name: string, why: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(`${name} is required ${why}`);
  return v;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function logLevel(env: Env): string {
  const v = str(env, 'LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(v)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`);
  return v;
}

/** DATA_DIR must be (or become) a directory on a disk: /proc and friends accept no files, and PGlite hangs there. */
export function dataDirOf(env: Env): string {
  const dir = resolve(str(env, 'DATA_DIR', './data'));
  if (/^\/(proc|sys|dev)(\/|$)/.test(dir)) throw new ConfigError(`DATA_DIR must be on a disk, not under /proc, /sys or /dev: ${dir}`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`DATA_DIR must be a directory, but ${dir} is a file`);
  return dir;
}

export function databaseUrlOf(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return null;
  const shape = 'DATABASE_URL must look like postgres://user:password@host:5432/database';
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(`${shape} (it must start with postgres:// or postgresql://)`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${shape}; it could not be parsed`);
  }
  if (!u.hostname) throw new ConfigError(`${shape}; it names no host`);
  if (!u.username) throw new ConfigError(`${shape}; it names no user`);
  return raw;
}
