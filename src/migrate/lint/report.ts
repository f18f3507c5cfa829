import { type Finding, RULES } from './catalogue.ts';
import type { LintResult } from './index.ts';

/** GitHub workflow commands escape these in the message and, with `:` and `,`, in properties. */
const data = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const prop = (s: string) => data(s).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** One `::error`/`::warning` annotation per open finding (acknowledged ones as `::notice`), on its file and line. */
export function githubAnnotations(result: LintResult): string[] {
  return result.findings.map((f) => {
    const level = f.acknowledged ? 'notice' : f.severity;
    const text = f.acknowledged ? `${f.message} (acknowledged: ${f.acknowledged})` : `${f.message} Fix: ${f.fix}`;
    return `::${level} file=${prop(f.file)},line=${f.line},title=${prop(`migrate lint: ${f.rule}`)}::${data(text)}`;
  });
}

/** SARIF 2.1.0 for code scanning; acknowledged findings carry an in-source suppression with the reason. */
export function sarifLog(result: LintResult): object {
  const used = [...new Set(result.findings.map((f) => f.rule))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'quickchat-migrate-lint',
            informationUri: 'https://github.com/quickchat/server/blob/main/migrations/README.md',
            rules: used.map((id) => {
              const r = RULES[id as keyof typeof RULES] ?? { severity: 'warning', fix: '' };
              return {
                id,
                shortDescription: { text: id.replaceAll('-', ' ') },
                help: { text: r.fix },
                defaultConfiguration: { level: r.severity },
              };
            }),
          },
        },
        results: result.findings.map((f: Finding) => ({
          ruleId: f.rule,
          ruleIndex: used.indexOf(f.rule),
          level: f.severity,
          message: { text: `${f.message} Fix: ${f.fix}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line } } }],
          ...(f.acknowledged ? { suppressions: [{ kind: 'inSource', justification: f.acknowledged }] } : {}),
        })),
      },
    ],
  };
}

/** A pull-request comment: one row per migration with findings, the rules it hits, and the totals. */
export function summaryTable(result: LintResult): string {
  const byMigration = new Map<string, Finding[]>();
  for (const f of result.findings) byMigration.set(f.migration, [...(byMigration.get(f.migration) ?? []), f]);
  const lines = ['### migrate lint', '', '| migration | errors | warnings | acknowledged | rules |', '|---|---|---|---|---|'];
  for (const [m, list] of byMigration) {
    const open = list.filter((f) => !f.acknowledged);
    const rules = [...new Set(list.map((f) => `\`${f.rule}\`${f.acknowledged ? ' (ack)' : ''}`))].join(', ');
    lines.push(
      `| ${m} | ${open.filter((f) => f.severity === 'error').length} | ${open.filter((f) => f.severity === 'warning').length} | ${list.length - open.length} | ${rules} |`,
    );
  }
  lines.push(
    '',
    `${result.migrations} migrations linted: **${result.errors} errors**, ${result.warnings} warnings, ${result.acknowledged} acknowledged.`,
  );
  return lines.join('\n');
}
