// One contender in a DATA_DIR lock race (test/lock-race.ts): loads the lock module, waits for "go"
// on stdin so every contender tries at the same moment, prints the outcome, holds until stdin ends.
import { createInterface } from 'node:readline';
import * as lockModule from '../src/db/lock.ts';

const [dataDir] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
let lock: { release(): void } | null = null;
lines.on('line', async (line) => {
  if (line !== 'go') return;
  try {
    lock = await lockModule.lockDataDir(dataDir as string, `race ${process.pid}`);
    process.stdout.write('held\n');
  } catch (err) {
    process.stdout.write(`refused ${(err as Error).message.split('\n')[0]}\n`);
  }
});
lines.on('close', () => {
  lock?.release();
  process.exit(0);
});
