import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createContext } from '../../compose.ts';
import type { Config } from '../../config.ts';
import { adminSource } from '../../import/admin-source.ts';
import { csvSource } from '../../import/csv-source.ts';
import { formatFiles, syncFiles } from '../../import/files.ts';
import { formatImport, formatVerify } from '../../import/format.ts';
import { ADMIN_SPECS } from '../../import/map-admin.ts';
import { runImport } from '../../import/run.ts';
import type { Source } from '../../import/source.ts';
import { verifyImport } from '../../import/verify.ts';
import { xanoSource } from '../../import/xano-source.ts';
import { type Command, type CommandInput, intOption, UsageError, withDatabase } from '../command.ts';
import { importProgress } from '../import-progress.ts';

const sourceOptions = {
  url: { type: 'string' },
  workspace: { type: 'string' },
  'token-file': { type: 'string' },
  'from-csv': { type: 'string' },
  'admin-database-url': { type: 'string' },
  'page-size': { type: 'string' },
} as const;

const sourceHelp = [
  '--url ORIGIN          the Xano instance origin (the Metadata API is ORIGIN/api:meta)',
  '--workspace ID        the workspace id',
  '--token-file PATH     file holding the Metadata API token (else XANO_TOKEN; never on the command line)',
  '--from-csv DIR        read per-table CSV exports (<table>.csv) instead of the Metadata API',
  '--admin-database-url URL  read the admin app PostgreSQL instead (admins, flags + audit, feedback + comments, tags, attachments)',
  '--page-size N         rows per page and per batch (default 1000)',
];

function openSource(values: CommandInput['values'], cfg: Config, onRetry?: (reason: string) => void): Source {
  if (values['from-csv']) return csvSource(String(values['from-csv']));
  if (values['admin-database-url']) return adminSource(String(values['admin-database-url']));
  const url = values.url as string | undefined;
  const workspace = values.workspace as string | undefined;
  if (!url || !workspace) throw new UsageError('--url <origin> and --workspace <id> are required');
  if (!/^https?:\/\//.test(url)) throw new UsageError('--url must be an http(s) origin, e.g. https://x1y2-z3.n7.xano.io');
  const file = values['token-file'] as string | undefined;
  let token: string | null;
  try {
    token = file ? readFileSync(file, 'utf8').trim() : cfg.xanoToken;
  } catch {
    throw new UsageError(`Cannot read --token-file ${file}`);
  }
  if (!token) throw new UsageError('No Metadata API token: pass --token-file <path> or set XANO_TOKEN');
  return xanoSource({ url, workspace, token, onRetry: (r) => onRetry?.(`retry ${r.attempt} in ${r.delayMs} ms (${r.reason})`) });
}

const specsFor = (values: CommandInput['values']) => (values['admin-database-url'] ? ADMIN_SPECS : undefined);

function parseSince(raw: unknown): Date | 'last' | null {
  if (raw === undefined) return null;
  if (raw === 'last') return 'last';
  const d = new Date(String(raw));
  if (Number.isNaN(d.getTime())) throw new UsageError(`--since takes an ISO time or "last", got "${raw}"`);
  return d;
}

export const importXano: Command = {
  name: 'import xano',
  summary:
    'Import a legacy Xano workspace through its Metadata API: every table of legacy-backend.md §1, mapped and repaired row by row, in resumable batches. Re-running changes nothing; --since last re-reads only what changed.',
  json: 'the JSON report on stdout',
  options: {
    ...sourceOptions,
    'dry-run': { type: 'boolean' },
    since: { type: 'string' },
    'copy-files': { type: 'boolean' },
    'files-host': { type: 'string', multiple: true },
    'file-concurrency': { type: 'string' },
  },
  optionHelp: [
    ...sourceHelp,
    '--dry-run             read and map everything, write nothing, print the report',
    '--since TIME|last     delta: only rows created or changed since TIME (ISO) or since the last finished pass',
    '--copy-files          copy the legacy files (Cloudflare Stream videos, R2 objects) into our storage and',
    '                      point the rows at the copies; without it they stay external (provider URLs)',
    '--files-host HOST     another host whose file URLs are legacy files (repeatable; *.domain allowed)',
    '--file-concurrency N  files fetched at once (default 4)',
  ],
  async run({ config, values, out }) {
    const cfg = config();
    const perPage = intOption(values, 'page-size') ?? 1000;
    if (perPage < 1) throw new UsageError('--page-size must be at least 1');
    const since = parseSince(values.since);
    const concurrency = intOption(values, 'file-concurrency') ?? 4;
    if (concurrency < 1 || concurrency > 64) throw new UsageError('--file-concurrency must be between 1 and 64');
    const dryRun = Boolean(values['dry-run']);
    const withFiles = !dryRun && !values['admin-database-url'];
    if (values['copy-files'] && !withFiles)
      throw new UsageError('--copy-files needs a real run of a Xano or CSV source (not --dry-run or --admin-database-url)');
    const progress = importProgress();
    const source = openSource(values, cfg, (line) => process.stderr.write(`  ${line}\n`));
    const report = await withDatabase(cfg, 'quickchat import xano', async (d) => {
      const tables = await runImport(d.db, {
        source,
        specs: specsFor(values),
        dryRun,
        since,
        perPage,
        onProgress: values.json ? undefined : progress,
      });
      if (!withFiles) return { ...tables, files: null };
      const ctx = createContext(cfg, d, pino({ level: 'silent' }));
      const files = await syncFiles(ctx, {
        source: source.key,
        copy: Boolean(values['copy-files']),
        extraHosts: (values['files-host'] as string[] | undefined) ?? [],
        concurrency,
        onProgress: values.json ? undefined : fileProgress(),
      });
      return { ...tables, files };
    }).finally(() => source.close?.());
    if (values.json) out(JSON.stringify(report, null, 2));
    else {
      for (const line of formatImport(report)) out(line);
      if (report.files) for (const line of formatFiles(report.files)) out(line);
    }
    return 0;
  },
};

/** A line every few seconds while files are copied (stderr; stdout stays clean for --json). */
function fileProgress() {
  let last = 0;
  return (p: { done: number; total: number; bytes: number; failed: number }) => {
    if (p.done < p.total && Date.now() - last < 2000) return;
    last = Date.now();
    process.stderr.write(`  files: ${p.done}/${p.total} · ${(p.bytes / 1024 ** 2).toFixed(1)} MB · ${p.failed} failed\n`);
  };
}

export const importVerify: Command = {
  name: 'import verify',
  summary:
    "Compare an import with its source, table by table: source counts with imported + rejected rows, checksums of the mapped fields, every question's payment state against its status, and (with PAYMENTS=stripe) each held intent's live state at Stripe. Exit 1 on any mismatch.",
  json: 'the JSON report on stdout',
  options: sourceOptions,
  optionHelp: sourceHelp,
  async run({ config, values, out }) {
    const cfg = config();
    const source = openSource(values, cfg, (line) => process.stderr.write(`  ${line}\n`));
    const report = await withDatabase(cfg, 'quickchat import verify', (d) =>
      verifyImport(d.db, source, {
        perPage: intOption(values, 'page-size'),
        specs: specsFor(values),
        // With PAYMENTS=stripe the held intents are looked up live (STRIPE_SECRET_KEY).
        payments: createContext(cfg, d, pino({ level: 'silent' })).payments,
        onIntents: values.json ? undefined : (n) => process.stderr.write(`  held intents checked: ${n}\n`),
      }),
    ).finally(() => source.close?.());
    if (values.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatVerify(report)) out(line);
    return report.ok ? 0 : 1;
  },
};
