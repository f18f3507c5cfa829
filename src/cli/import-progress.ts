import type { ProgressEvent } from '../import/run.ts';
import type { ProgressSink } from './progress.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
const eta = (ms: number | null) => {
  if (ms === null) return '?';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/**
 * Import progress for a person, on stderr (stdout stays clean for --json): a bar per table
 * redrawn in place on a terminal, otherwise a line every few seconds and one when a table ends.
 */
export function importProgress(sink: ProgressSink = { isTTY: Boolean(process.stderr.isTTY), write: (t) => process.stderr.write(t) }) {
  let last = 0;
  return (e: ProgressEvent): void => {
    const pct = e.total ? Math.min(100, Math.floor((e.done / e.total) * 100)) : 100;
    const text = `${e.table}: ${fmt(e.done)}/${fmt(e.total)} rows · ${fmt(e.rowsPerSec)} rows/s · ETA ${eta(e.etaMs)}`;
    if (sink.isTTY) {
      const filled = Math.round((pct / 100) * 24);
      sink.write(
        `\r  [${'#'.repeat(filled)}${'.'.repeat(24 - filled)}] ${String(pct).padStart(3)}% ${e.finished ? `${e.table}: ${fmt(e.done)} rows` : text}\x1b[K`,
      );
      if (e.finished) sink.write('\n');
    } else if (e.finished || Date.now() - last > 2000) {
      sink.write(e.finished ? `  ${e.table}: done, ${fmt(e.done)} rows\n` : `  import ${pct}% ${text}\n`);
      last = Date.now();
    }
  };
}
