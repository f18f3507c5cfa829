import type { ImportReport } from './run.ts';
import type { VerifyReport } from './verify.ts';

function table(head: string[], rows: (string | number)[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) =>
    r.map((v, i) => (typeof v === 'number' ? String(v).padStart(widths[i] ?? 0) : String(v).padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function formatImport(r: ImportReport): string[] {
  const out = [`${r.dryRun ? 'DRY RUN (nothing written): ' : ''}import from ${r.source} in ${r.seconds.toFixed(1)} s`, ''];
  out.push(
    ...table(
      ['table', 'source', 'read', 'inserted', 'updated', 'unchanged', 'rejected'],
      r.tables.map((t) => [
        t.table + (t.resumedFromPage ? ` (resumed at page ${t.resumedFromPage})` : ''),
        t.sourceTotal,
        t.read,
        t.inserted,
        t.updated,
        t.unchanged,
        t.rejected,
      ]),
    ),
  );
  for (const t of r.tables) {
    const repairs = Object.entries(t.repairs);
    const rejects = Object.entries(t.rejectReasons);
    const issues = Object.entries(t.issues);
    if (!repairs.length && !rejects.length && !issues.length) continue;
    out.push('', `${t.table}:`);
    for (const [k, n] of repairs) out.push(`  repaired ${String(n).padStart(7)}  ${k}`);
    for (const [k, n] of rejects) out.push(`  rejected ${String(n).padStart(7)}  ${k}`);
    for (const [k, n] of issues) out.push(`  reported ${String(n).padStart(7)}  ${k}`);
  }
  out.push('', 'Not imported:');
  for (const n of r.notImported) out.push(`  ${n.table}: ${n.reason}`);
  if (!r.notImported.some((n) => n.table === 'magic_link_token')) out.push('  magic-link tokens and sessions: users sign in again');
  out.push('', 'Rejected rows are in import_rejected (table, legacy id, raw JSON, reason); reported rows in import_issue.');
  return out;
}

export function formatVerify(r: VerifyReport): string[] {
  const out = [`verify ${r.source}`, ''];
  out.push(
    ...table(
      ['table', 'source', 'imported', 'rejected', 'missing', 'differing', 'checksum source', 'checksum ours', ''],
      r.tables.map((t) => [
        t.table,
        t.sourceTotal,
        t.imported,
        t.rejected,
        t.missing,
        t.differing,
        t.sourceChecksum,
        t.databaseChecksum,
        t.ok ? 'ok' : 'MISMATCH',
      ]),
    ),
  );
  for (const t of r.tables) if (t.examples.length) out.push(`  ${t.table}: ${t.examples.join(', ')}`);
  const p = r.payments;
  out.push(
    '',
    `payments: ${p.questions} questions, ${p.withoutPayment} without a payment, ${p.stateMismatch} whose payment state does not fit the status${p.examples.length ? ` (e.g. question ${p.examples.join(', ')})` : ''} — ${p.ok ? 'ok' : 'MISMATCH'}`,
  );
  const i = r.intents;
  out.push(
    i.skipped
      ? `held intents: not checked (${i.skipped})`
      : `held intents at Stripe: ${i.checked} checked, ${i.notFound} unknown, ${i.wrongState} not held, ${i.wrongAmount} with another amount, ${i.errors} lookups failed — ${i.ok ? 'ok' : 'MISMATCH'}`,
  );
  for (const e of i.examples) out.push(`  ${e}`);
  out.push('', r.ok ? 'verify: clean' : 'verify: MISMATCH');
  return out;
}
