import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppContext } from '../context.ts';

/**
 * What would stop a sign-in from working even though the process answers: with the default
 * outbox, the directory its codes are written to must be writable. (A usable JWT secret is
 * guaranteed by config.ts, which refuses to start without one.)
 */
export async function signInProblems(ctx: AppContext): Promise<string[]> {
  const problems: string[] = [];
  if (ctx.config.mail.kind === 'outbox') {
    const dir = join(ctx.config.dataDir, 'outbox');
    // Not created yet is fine (the mailer creates it) if the nearest existing parent is writable.
    let probe = dir;
    while (!(await exists(probe)) && dirname(probe) !== probe) probe = dirname(probe);
    try {
      await access(probe, constants.W_OK);
    } catch {
      problems.push(`mail outbox ${dir} is not writable: sign-in codes cannot be sent`);
    }
  }
  return problems;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
