import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LockFixture = 'none' | 'stale' | 'reused-pid';

export interface RaceResult {
  holders: number;
  refused: string[];
}

const CHILD = join(import.meta.dirname, 'lock-child.ts');

/** A pid that is certainly dead: a process that has already exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => p.on('exit', r));
  return p.pid as number;
}

/**
 * Leaves the lock file a crashed server of the previous release would leave (`pglite.lock`,
 * pid + holder + since): its pid dead (`stale`) or now belonging to another, younger process
 * (`reused-pid`: this test runner, started after the recorded time).
 */
async function writeFixture(dataDir: string, fixture: LockFixture): Promise<void> {
  if (fixture === 'none') return;
  const pid = fixture === 'stale' ? await deadPid() : process.pid;
  const since = fixture === 'stale' ? new Date().toISOString() : '2000-01-01T00:00:00.000Z';
  writeFileSync(join(dataDir, 'pglite.lock'), JSON.stringify({ pid, holder: 'quickchat serve', since }));
}

/** `contenders` processes try to lock one fresh DATA_DIR at the same moment. */
export async function raceLock(contenders: number, fixture: LockFixture): Promise<RaceResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qc-lockrace-'));
  await writeFixture(dataDir, fixture);
  const children = Array.from({ length: contenders }, () =>
    spawn(process.execPath, [CHILD, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const outcome = (child: (typeof children)[number], want: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      let buf = '';
      const onData = (b: Buffer) => {
        buf += b;
        const line = buf.split('\n').find((l) => want(l));
        if (line !== undefined) {
          child.stdout?.off('data', onData);
          resolve(line);
        }
      };
      child.stdout?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`contender exited (${code}) before answering`)));
    });
  try {
    await Promise.all(children.map((c) => outcome(c, (l) => l === 'ready')));
    const answers = children.map((c) => outcome(c, (l) => l === 'held' || l.startsWith('refused')));
    for (const c of children) c.stdin?.write('go\n');
    const lines = await Promise.all(answers);
    return { holders: lines.filter((l) => l === 'held').length, refused: lines.filter((l) => l !== 'held') };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((r) => {
            if (c.exitCode !== null) return r(null);
            c.on('exit', r);
            c.stdin?.end();
          }),
      ),
    );
  }
}
