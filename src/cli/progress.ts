import type { EngineEvent } from '../migrate/index.ts';

export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function duration(ms: number | null): string {
  if (ms === null) return '?';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Renders the engine's events for a person: a progress bar redrawn in place on a terminal
 * (rows done, rows/s, ETA), a line every few seconds otherwise, plus lock retries, backups and
 * skipped statements. Goes to stderr, so `--json` output on stdout stays clean.
 */
export function progressRenderer(sink: ProgressSink = { isTTY: Boolean(process.stderr.isTTY), write: (t) => process.stderr.write(t) }) {
  let lastLine = 0;
  let barOpen = false;
  const closeBar = () => {
    if (barOpen) sink.write('\n');
    barOpen = false;
  };
  return (e: EngineEvent): void => {
    switch (e.type) {
      case 'backfill': {
        const pct = e.total ? Math.min(100, Math.floor((e.scanned / e.total) * 100)) : 100;
        const text = `${e.table}: ${fmt(e.scanned)}/${fmt(e.total)} rows (${fmt(e.updated)} changed) · ${fmt(e.rowsPerSec)} rows/s · ETA ${duration(e.etaMs)}`;
        if (sink.isTTY) {
          const width = 24;
          const filled = Math.round((pct / 100) * width);
          sink.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${text}\x1b[K`);
          barOpen = true;
          if (e.done) closeBar();
        } else if (e.done || Date.now() - lastLine > 2000) {
          sink.write(`  backfill ${pct}% ${text}${e.done ? ' (done)' : ''}\n`);
          lastLine = Date.now();
        }
        break;
      }
      case 'lock-retry':
        closeBar();
        sink.write(`  lock not granted within lock_timeout (${e.what}); retry ${e.attempt} in ${e.delayMs} ms\n`);
        break;
      case 'backup':
        closeBar();
        sink.write(`  backup #${e.id}: ${fmt(e.rows)} rows of ${e.table} copied to migration_backup\n`);
        break;
      case 'skipped':
        closeBar();
        sink.write(`  skipped statement ${e.statement}: ${e.reason}\n`);
        break;
      case 'waiting':
        sink.write(`  waiting: ${e.reason}\n`);
        break;
      case 'step':
        if (e.phase === 'skip') sink.write(`  ${e.migration}: step ${e.step}/${e.steps} already done (${e.label})\n`);
        break;
    }
  };
}
