import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCESS, readmeSections } from './docs-sections.ts';
import type { MigrationStatus } from './engine.ts';
import { type Finding, lintMigrations } from './lint/index.ts';
import type { Migration } from './load.ts';
import { buildSteps } from './steps.ts';

/**
 * Parts that come from a database's history are wrapped in these markers: `docs --check` compares
 * everything else, so CI (with an empty database) can tell whether the file is stale.
 */
const H_OPEN = '<!--h-->';
const H_CLOSE = '<!--/h-->';
const h = (text: string) => `${H_OPEN}${text}${H_CLOSE}`;

export function withoutHistory(text: string): string {
  return text.replace(/<!--h-->[\s\S]*?<!--\/h-->/g, `${H_OPEN}${H_CLOSE}`);
}

const title = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);

function statusCell(s: MigrationStatus | undefined): string {
  if (!s) return h('—');
  switch (s.state) {
    case 'applied':
      return h(`✅ Applied ${s.appliedAt?.slice(0, 10)}`);
    case 'partial':
      return h(`⚠️ Stopped at ${s.stoppedAt?.direction} step ${(s.stoppedAt?.stepsDone ?? 0) + 1}/${s.stoppedAt?.steps}`);
    case 'pending':
      return h('⏳ Pending');
    default:
      return h(`⚠️ ${s.state}`);
  }
}

function documentSection(m: Migration, findings: Finding[]): string {
  const sec = readmeSections(m);
  const steps = buildSteps(m, 'up', { backups: true });
  const lines = [`### [${m.name}](./${m.name}/README.md)`, `**${m.meta.title || m.name}**`, ''];
  lines.push(`**Date:** ${m.meta.date}  `, `**Type:** ${title(m.meta.type)} · **Phase:** ${m.meta.phase}`, '');
  for (const [key, label] of [
    ['summary', 'Summary'],
    ['changes', 'Changes'],
    ['before/after', 'Before/After'],
    ['impact', 'Impact'],
    ['rollout', 'Rollout'],
    ['rollback', 'Rollback'],
  ] as const) {
    const body = sec.get(key);
    if (body) lines.push(`**${label}:**`, body, '');
  }
  const rollback = m.irreversible
    ? `irreversible: ${m.irreversible}`
    : `down.sql, ${m.down.length} statement${m.down.length === 1 ? '' : 's'}`;
  lines.push(`**Runs as:** ${steps.map((s) => s.label).join('; ') || 'no statements'} · **Rollback:** ${rollback}`);
  if (m.meta.deprecates.length) lines.push('', `**Deprecates:** ${m.meta.deprecates.map((d) => `\`${d}\``).join(', ')}`);
  const acked = findings.filter((f) => f.migration === m.name && f.acknowledged);
  if (acked.length) {
    lines.push('', '**Acknowledged lint findings:**');
    for (const f of acked) lines.push(`- \`${f.rule}\` (statement ${f.statement ?? '—'}): ${f.acknowledged}`);
  }
  return lines.join('\n');
}

interface CheckItem {
  label: string;
  /** true ✅, false ⬜, null — (does not apply). */
  check: (m: Migration, ctx: { findings: Finding[]; status: MigrationStatus | undefined }) => boolean | null | 'history';
}

const CHECKLIST: { phase: string; items: CheckItem[] }[] = [
  {
    phase: 'Before Migration',
    items: [
      {
        label: 'Document current architecture (Summary, Before/After)',
        check: (m) => readmeSections(m).has('summary') && (readmeSections(m).has('before/after') || readmeSections(m).has('changes')),
      },
      { label: 'Create migration plan (Rollout)', check: (m) => readmeSections(m).has('rollout') },
      { label: 'Identify all affected code (Impact)', check: (m) => readmeSections(m).has('impact') },
      { label: 'Create rollback procedure (down.sql or irreversible reason)', check: (m) => m.down.length > 0 || Boolean(m.irreversible) },
      {
        label: 'Lint clean (errors fixed or acknowledged)',
        check: (m, c) => !c.findings.some((f) => f.migration === m.name && f.severity === 'error' && !f.acknowledged),
      },
    ],
  },
  {
    phase: 'During Migration',
    items: [
      { label: 'Update database schema (applied here)', check: () => 'history' },
      {
        label: 'Backup before destructive statements',
        check: (m) => {
          const destructive = buildSteps(m, 'up', { backups: true }).some((s) => s.statements.some((x) => x.info.destroys.length));
          return destructive ? m.meta.backup : null;
        },
      },
      {
        label: 'Data changes as batched backfills',
        check: (m) => (m.backfills.length ? true : m.up.some((s) => s.type === 'UpdateStmt') ? false : null),
      },
      {
        label: 'Update documentation (all README sections)',
        check: (m) => ['summary', 'changes', 'impact', 'rollback'].every((k) => readmeSections(m).has(k)),
      },
    ],
  },
];

function checklist(migrations: Migration[], findings: Finding[], status: MigrationStatus[] | null): string {
  const head = `| Item | ${migrations.map((m) => m.name.slice(0, 4)).join(' | ')} |`;
  const rule = `|------|${migrations.map(() => ':---:').join('|')}|`;
  const out = [
    '## Migration Checklist',
    '',
    "Checked from each migration's files and this database's history (✅ done, ⬜ not done, — does not apply).",
    '',
  ];
  for (const { phase, items } of CHECKLIST) {
    out.push(`### ${phase}`, '', head, rule);
    for (const item of items) {
      const cells = migrations.map((m) => {
        const st = status?.find((s) => s.id === m.id);
        const v = item.check(m, { findings, status: st });
        if (v === 'history') return h(st?.state === 'applied' ? '✅' : '⬜');
        return v === null ? '—' : v ? '✅' : '⬜';
      });
      out.push(`| ${item.label} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The whole migrations/README.md. `status` is this database's history (null: none available). */
export async function renderDocs(migrations: Migration[], status: MigrationStatus[] | null): Promise<string> {
  // Static lint only: the generated file must not depend on the database or on src/.
  const { findings } = await lintMigrations(migrations);
  const newestFirst = [...migrations].reverse();
  const applied = status?.filter((s) => s.state === 'applied').length ?? 0;
  const parts = [
    "<!-- Generated by `quickchat migrate docs` from each migration's README.md, files and the history table. Do not edit: `quickchat migrate docs --check` (CI) fails when it is stale. -->",
    '',
    '# Database & Feature Migrations',
    '',
    'Every schema change of the QuickChat server, one folder per migration (`NNNN_name/`: `up.sql`, `down.sql`, optional `backfill.yaml`, `README.md`). The engine enforces the rules this handbook used to only state (see Best Practices).',
    '',
    '---',
    '',
    '## Migration Documents',
    '',
    newestFirst.map((m) => documentSection(m, findings)).join('\n\n---\n\n'),
    '',
    '---',
    '',
    '## Migration Timeline',
    '',
    '| Date | Migration | Type | Phase | Status |',
    '|------|-----------|------|-------|--------|',
    ...newestFirst.map(
      (m) =>
        `| ${m.meta.date} | [${m.meta.title || m.name}](./${m.name}/README.md) | ${title(m.meta.type)} | ${m.meta.phase} | ${statusCell(status?.find((s) => s.id === m.id))} |`,
    ),
    '',
    '---',
    '',
    PROCESS,
    '---',
    '',
    checklist(migrations, findings, status),
    '---',
    '',
    `**Last Updated:** ${
      migrations
        .map((m) => m.meta.date)
        .sort()
        .at(-1) ?? '—'
    }  `,
    `**Total Migrations:** ${migrations.length} (${h(status ? `${applied} applied on the database this was generated from` : 'no database history')})`,
    '',
  ];
  return parts.join('\n');
}

export function docsPath(dir: string): string {
  return join(dir, 'README.md');
}

/** Is the committed file what `renderDocs` would write (history cells aside)? */
export function isStale(dir: string, rendered: string): boolean {
  const file = docsPath(dir);
  if (!existsSync(file)) return true;
  return withoutHistory(readFileSync(file, 'utf8')) !== withoutHistory(rendered);
}
