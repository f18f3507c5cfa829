import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (random port) in a child process; stop() ends it. */
export async function startLocalS3(bucket = 'test-bucket'): Promise<LocalS3> {
  const dir = mkdtempSync(join(tmpdir(), 'qc-s3rver-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', join(import.meta.dirname, 's3rver-child.ts'), dir, bucket],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
    setTimeout(() => reject(new Error('s3rver did not start within 20 s')), 20_000).unref();
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
