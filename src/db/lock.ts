import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../atomic-file.ts';

/**
 * PGlite takes no lock of its own: a second process opening the same data directory corrupts it.
 * Every process that opens the embedded database holds this lock for as long as it runs.
 *
 * Announce, then check: a contender publishes its own claim file (a unique name, made visible
 * whole by rename), then lists the directory. It holds the lock only if no other live claim is
 * there; otherwise it withdraws and retries. Of two contenders, the later to publish always sees
 * the earlier one, so two can never both hold it. A claim is stale when its process is gone: pid
 * dead, or the pid now belongs to a process that started at another time (a reused pid). Stale
 * claims are deleted by their unique names, so removing one can never remove a live one.
 */
export class DataDirLockedError extends Error {}

export interface DataDirLock {
  release(): void;
}

interface Claim {
  pid: number;
  /** Boot id + start time of the process in clock ticks (Linux); null where unknown. */
  start: string | null;
  host: string;
  holder: string;
  since: string;
}

interface Found {
  file: string;
  claim: Claim;
  held: boolean;
}

const PREFIX = 'pglite.lock.';
/** The single lock file of the previous release (pid, holder, since): still honoured. */
const LEGACY = 'pglite.lock';
const ATTEMPTS = 60;

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `/proc/<pid>/stat` field 22 (start time since boot), with the boot id: a process's identity. */
export function processStart(pid: number): string | null {
  const stat = read(`/proc/${pid}/stat`);
  const boot = read('/proc/sys/kernel/random/boot_id');
  if (!stat || !boot) return null;
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return ticks ? `${boot.trim()}:${ticks}` : null;
}

/** When a process started, in epoch ms (Linux; null elsewhere), for legacy claims without a start. */
function startedAtMs(pid: number): number | null {
  const ticks = Number(processStart(pid)?.split(':')[1]);
  const btime = read('/proc/stat')?.match(/^btime (\d+)$/m)?.[1];
  return Number.isFinite(ticks) && btime ? Number(btime) * 1000 + ticks * 10 : null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function alive(claim: Claim): boolean {
  // Another host's process cannot be checked from here: only its operator can say it is gone.
  if (claim.host !== hostname()) return true;
  if (claim.pid <= 0 || !pidAlive(claim.pid)) return false;
  if (claim.start) {
    const now = processStart(claim.pid);
    return now === null || now === claim.start;
  }
  // A legacy claim: the pid is someone else's if that process started after the claim was written
  // (2 s of slack for clock-tick rounding).
  const started = startedAtMs(claim.pid);
  const since = Date.parse(claim.since);
  return started === null || Number.isNaN(since) || started <= since + 2000;
}

function claims(dataDir: string): Found[] {
  const names = readdirSync(dataDir);
  const out: Found[] = [];
  for (const name of names) {
    const legacy = name === LEGACY;
    if (!legacy && !(name.startsWith(PREFIX) && /^[0-9a-f-]+$/.test(name.slice(PREFIX.length)))) continue;
    const text = read(join(dataDir, name));
    if (text === null) continue; // withdrawn or released while we listed
    let parsed: Partial<Claim> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // Only the legacy file can be torn (it was written in place); without a pid it is dead.
    }
    if (typeof parsed.pid !== 'number') {
      out.push({ file: name, claim: { pid: 0, start: null, host: hostname(), holder: '?', since: '' }, held: true });
      continue;
    }
    const claim: Claim = {
      pid: parsed.pid,
      start: parsed.start ?? null,
      host: parsed.host ?? hostname(),
      holder: parsed.holder ?? 'another process',
      since: parsed.since ?? '',
    };
    out.push({ file: name, claim, held: legacy || names.includes(`${name}.held`) });
  }
  return out;
}

function remove(dataDir: string, file: string): void {
  rmSync(join(dataDir, `${file}.held`), { force: true });
  rmSync(join(dataDir, file), { force: true });
}

function describe(dataDir: string, c: Claim): string {
  const where = c.host === hostname() ? '' : ` on host ${c.host}`;
  return `DATA_DIR ${dataDir} is in use by ${c.holder} (pid ${c.pid}${where}, since ${c.since || 'an unknown time'}). Stop it first, or point both at PostgreSQL with DATABASE_URL.`;
}

export async function lockDataDir(dataDir: string, holder: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mine = `${PREFIX}${process.pid.toString(16)}-${randomBytes(6).toString('hex')}`;
  const claim: Claim = { pid: process.pid, start: processStart(process.pid), host: hostname(), holder, since: new Date().toISOString() };
  let contender: Claim | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt) await sleep(5 + Math.random() * Math.min(200, 10 * 2 ** Math.min(attempt, 5)));
    const live: Found[] = [];
    for (const f of claims(dataDir)) {
      if (alive(f.claim)) live.push(f);
      else remove(dataDir, f.file);
    }
    const holding = live.find((f) => f.held);
    if (holding) throw new DataDirLockedError(describe(dataDir, holding.claim));
    contender = live[0]?.claim ?? null;
    if (contender) continue;
    writeFileAtomic(join(dataDir, mine), JSON.stringify(claim));
    if (claims(dataDir).some((f) => f.file !== mine && alive(f.claim))) {
      remove(dataDir, mine);
      continue;
    }
    writeFileAtomic(join(dataDir, `${mine}.held`), '');
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        remove(dataDir, mine);
      },
    };
  }
  throw new DataDirLockedError(
    contender ? describe(dataDir, contender) : `DATA_DIR ${dataDir}: could not take its lock, other processes kept contending for it.`,
  );
}
