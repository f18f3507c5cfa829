import { pino } from 'pino';
import { createContext } from '../../compose.ts';
import { cleanupMedia } from '../../media/cleanup.ts';
import { restoreRun } from '../../media/restore.ts';
import { type Command, intOption, UsageError, withDatabase } from '../command.ts';

export const mediaCleanup: Command = {
  name: 'media cleanup',
  summary:
    'Find media rows, stored objects and videos nothing references (older than the grace period) and, with --apply, move them to the quarantine (kept 7 days). Dry run by default.',
  json: 'the JSON report',
  options: { apply: { type: 'boolean' }, limit: { type: 'string' }, force: { type: 'boolean' } },
  optionHelp: [
    '--apply             delete (quarantine) what the dry run lists; without it nothing changes',
    '--limit N           delete at most N items in this run',
    '--force             go on when the circuit breaker trips (more than max(1 % of objects, 1000))',
  ],
  async run({ config, values, out }) {
    const cfg = config();
    const limit = intOption(values, 'limit');
    const log = pino({ level: values.json ? 'silent' : cfg.logLevel });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const report = await withDatabase(cfg, 'quickchat media cleanup', (d) =>
        cleanupMedia(createContext(cfg, d, log), {
          apply: Boolean(values.apply),
          limit,
          force: Boolean(values.force),
          log,
          signal: controller.signal,
        }),
      );
      if (values.json) out(JSON.stringify(report, null, 2));
      else {
        const c = report.counts;
        out(`run ${report.runId} (${report.mode}): ${report.status}`);
        out(`scanned ${c.mediaRows} media rows, ${c.storageObjects} stored objects, ${c.videos} videos; ${c.tooYoung} too young to judge`);
        out(`${c.candidates} unreferenced (${report.bytes.candidates} bytes); deleted ${c.deleted}; skipped ${JSON.stringify(c.skipped)}`);
        if (c.unknownKeys)
          out(`${c.unknownKeys} keys outside the layout (reported, never deleted): ${report.keys.unknown.slice(0, 10).join(', ')}`);
        if (report.breaker.tripped)
          out(
            `circuit breaker: ${report.breaker.planned} planned > ${report.breaker.threshold} allowed${report.breaker.forced ? ' (forced)' : ''}`,
          );
        if (report.mode === 'dry_run') out('Dry run: nothing was deleted. Re-run with --apply to act.');
        else out(`purged ${c.purged} quarantined items older than 7 days; deleted ${c.magicLinkTokens} old magic-link tokens`);
      }
      return report.status === 'refused_breaker' ? 2 : 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

export const mediaRestore: Command = {
  name: 'media restore',
  summary: 'Put back everything a cleanup run removed that is still in the quarantine (objects and media rows).',
  json: 'the JSON report',
  options: { run: { type: 'string' } },
  optionHelp: ['--run ID            the cleanup run to undo'],
  async run({ config, values, out }) {
    const runId = intOption(values, 'run');
    if (!runId) throw new UsageError('--run <id> is required (the run id printed by media cleanup)');
    const cfg = config();
    const log = pino({ level: values.json ? 'silent' : cfg.logLevel });
    const report = await withDatabase(cfg, 'quickchat media restore', (d) => restoreRun(createContext(cfg, d, log), runId));
    if (!report) throw new UsageError(`No cleanup run ${runId}.`);
    if (values.json) out(JSON.stringify(report, null, 2));
    else
      out(
        `run ${runId}: restored ${report.restoredObjects} objects and ${report.restoredRows} media rows; ${report.notRestorable} not restorable (purged or already restored)`,
      );
    return 0;
  },
};
