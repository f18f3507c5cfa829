import { appendFileSync } from 'node:fs';

/**
 * The chaos suite's figures (requests lost, writes lost, restart time, shed requests…).
 * Each test records what it measured; `npm run test:chaos` prints them as one table at the end.
 * The runner sets CHAOS_REPORT_FILE; without it (a file run by hand) figures go to stdout.
 */
export function recordFigure(suite: string, name: string, value: number | string, unit = ''): void {
  const line = `${JSON.stringify({ suite, name, value, unit })}\n`;
  const file = process.env.CHAOS_REPORT_FILE;
  if (file) appendFileSync(file, line);
  else process.stdout.write(`chaos figure ${line}`);
}
