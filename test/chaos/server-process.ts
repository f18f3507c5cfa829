import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every line the server printed (pino JSON at level info on stdout, anything on stderr). */
  output: string[];
  exited: Promise<number | null>;
  /** ms from spawn until /health answered 200. */
  readyMs: number;
  /** The server's own start-up phases (ms since it began starting), once it logged them. */
  startup(): Record<string, number>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node src/main.ts` (what `npm start` runs) with the given environment on a free port and
 * waits until /health answers 200. Rejects with the server's output if it exits or never gets ready.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let url = '';
  let startup: Record<string, number> = {};
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.on('data', (b: Buffer) => {
      buf += b;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const m = line.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/) ?? line.match(/"url":"(http:\/\/[^"]+)".*server ready/);
        if (m && !url) url = m[1] as string;
        const phases = line.includes('server ready') && line.match(/"startupMs":(\{[^}]*\})/);
        if (phases) startup = JSON.parse(phases[1] as string);
      }
    });
  }
  const exited = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!done && Date.now() - started < timeoutMs) {
    if (url) {
      const ok = await fetch(`${url}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (done || !url) {
    child.kill('SIGKILL');
    throw new Error(`server did not start:\n${output.slice(-20).join('\n')}`);
  }
  const readyMs = Date.now() - started;
  return {
    child,
    url,
    output,
    exited,
    readyMs,
    startup: () => startup,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
