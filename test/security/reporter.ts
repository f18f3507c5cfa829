/**
 * The security report: one row per route with the checks each matrix ran on it, then every failure
 * with its one-line curl reproduction. Used by `npm run test:security` (vitest.security.config.ts).
 */
import type { Reporter, TestModule } from 'vitest/node';
import type { SecurityMeta } from './harness.ts';

const MATRICES = ['inventory', 'authn', 'object', 'property', 'flows', 'fuzz', 'limits', 'outbound'] as const;

export default class SecurityReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = new Map<string, Map<string, { checks: number; failed: number }>>();
    const failures: (SecurityMeta['failures'][number] & { route: string; matrix: string })[] = [];
    const notRun: string[] = [];
    for (const m of testModules) {
      for (const test of m.children.allTests()) {
        const meta = (test.meta() as { security?: SecurityMeta }).security;
        if (!meta) {
          if (test.result().state === 'failed') notRun.push(`${m.moduleId.split('/').pop()} › ${test.name}`);
          continue;
        }
        const row = rows.get(meta.route) ?? new Map();
        for (const [matrix, c] of Object.entries(meta.counts)) {
          const cell = row.get(matrix) ?? { checks: 0, failed: 0 };
          cell.checks += c.checks;
          cell.failed += c.failed;
          row.set(matrix, cell);
        }
        rows.set(meta.route, row);
        for (const f of meta.failures) failures.push({ ...f, route: meta.route, matrix: f.matrix ?? meta.matrix });
      }
    }
    if (!rows.size) return;
    const width = Math.max(...[...rows.keys()].map((r) => r.length), 5);
    const head = ['route'.padEnd(width), ...MATRICES.map((m) => m.padStart(9)), 'checks'.padStart(7), ' result'].join(' ');
    const lines = [head, '─'.repeat(head.length)];
    let total = 0;
    let failedRoutes = 0;
    for (const route of [...rows.keys()].sort()) {
      const row = rows.get(route) as Map<string, { checks: number; failed: number }>;
      const checks = [...row.values()].reduce((n, c) => n + c.checks, 0);
      const failed = [...row.values()].reduce((n, c) => n + c.failed, 0);
      total += checks;
      if (failed) failedRoutes++;
      const cells = MATRICES.map((m) => {
        const c = row.get(m);
        return (c ? (c.failed ? `✗${c.failed}/${c.checks}` : String(c.checks)) : '·').padStart(9);
      });
      lines.push([route.padEnd(width), ...cells, String(checks).padStart(7), failed ? ' FAIL' : ' pass'].join(' '));
    }
    lines.push('─'.repeat(head.length));
    lines.push(
      `${rows.size} routes, ${total} checks, ${failedRoutes} routes failing, ${failures.length} failed checks (fuzz: ${process.env.FUZZ_RUNS ?? 12} runs per route, seed ${process.env.FUZZ_SEED ?? 20260302})`,
    );
    if (failures.length) {
      lines.push('', 'Failures (reproduce against `npm start` with tokens for the named identities):');
      for (const f of failures)
        lines.push(
          `✗ [${f.matrix}] ${f.route} — ${f.check}: ${f.detail.split('\n')[0]?.slice(0, 240)}`,
          `  ${f.curl || '(no request: see the test output)'}`,
        );
    }
    if (notRun.length) lines.push('', 'Tests that failed before recording checks:', ...notRun.map((n) => `✗ ${n}`));
    process.stdout.write(`\nSECURITY REPORT\n${lines.join('\n')}\n`);
  }
}
