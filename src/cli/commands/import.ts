import { readFileSync } from 'node:fs';
import type { Config } from '../../config.ts';
import { adminSource } from '../../import/admin-source.ts';
import { csvSource } from '../../import/csv-source.ts';
import { formatImport, formatVerify } from '../../import/format.ts';
import { ADMIN_SPECS } from '../../import/map-admin.ts';
import { importProgress } from '../../import/progress.ts';
import { runImport } from '../../import/run.ts';
import type { Source } from '../../import/source.ts';
import { verifyImport } from '../../import/verify.ts';
import { xanoSource } from '../../import/xano-source.ts';
import { type Command, type CommandInput, intOption, UsageError, withDatabase } from '../command.ts';

const sourceOptions = {
  url: { type: 'string' },
  workspace: { type: 'string' },
  'token-file': { type: 'string' },
  'from-csv': { type: 'string' },
  'admin-database-url': { type: 'string' },
  'page-size': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const sourceHelp = [
  '--url ORIGIN          the Xano instance origin (the Metadata API is ORIGIN/api:meta)',
  '--workspace ID        the workspace id',
  '--token-file PATH     file holding the Metadata API token (else XANO_TOKEN; never on the command line)',
  '--from-csv DIR        read per-table CSV exports (<table>.csv) instead of the Metadata API',
  '--admin-database-url URL  read the admin app PostgreSQL instead (admins, flags + audit, feedback + comments, tags, attachments)',
  '--page-size N         rows per page and per batch (default 1000)',
  '--json                the JSON report on stdout',
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
  options: { ...sourceOptions, 'dry-run': { type: 'boolean' }, since: { type: 'string' } },
  optionHelp: [
    ...sourceHelp,
    '--dry-run             read and map everything, write nothing, print the report',
    '--since TIME|last     delta: only rows created or changed since TIME (ISO) or since the last finished pass',
  ],
  async run({ config, values, out }) {
    const cfg = config();
    const perPage = intOption(values, 'page-size') ?? 1000;
    if (perPage < 1) throw new UsageError('--page-size must be at least 1');
    const since = parseSince(values.since);
    const progress = importProgress();
    const source = openSource(values, cfg, (line) => process.stderr.write(`  ${line}\n`));
    const report = await withDatabase(cfg, 'quickchat import xano', (d) =>
      runImport(d.db, {
        source,
        specs: specsFor(values),
        dryRun: Boolean(values['dry-run']),
        since,
        perPage,
        onProgress: values.json ? undefined : progress,
      }),
    ).finally(() => source.close?.());
    if (values.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatImport(report)) out(line);
    return 0;
  },
};

export const importVerify: Command = {
  name: 'import verify',
  summary:
    "Compare an import with its source, table by table: source counts with imported + rejected rows, checksums of the mapped fields, and every question's payment state against its status. Exit 1 on any mismatch.",
  options: sourceOptions,
  optionHelp: sourceHelp,
  async run({ config, values, out }) {
    const cfg = config();
    const source = openSource(values, cfg, (line) => process.stderr.write(`  ${line}\n`));
    const report = await withDatabase(cfg, 'quickchat import verify', (d) =>
      verifyImport(d.db, source, { perPage: intOption(values, 'page-size') }),
    );
    if (values.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatVerify(report)) out(line);
    return report.ok ? 0 : 1;
  },
};
