import { listAdmins } from '../../admin/queries.ts';
import { ADMIN_ROLES, createAdmin, disableAdminByEmail } from '../../admin/service.ts';
import { HttpError } from '../../errors.ts';
import { type Command, UsageError, withDatabase } from '../command.ts';

/** Service errors about the input become usage errors: one line, exit 1. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError && err.status < 500) throw new UsageError(err.message);
    throw err;
  }
}

export const adminCreate: Command = {
  name: 'admin create',
  summary:
    'Make the account with this e-mail an admin (creating the account if it has never signed in). ' +
    'Re-running changes the role, re-enables the admin and ends its admin sessions. Audited.',
  json: true,
  options: { email: { type: 'string' }, role: { type: 'string' } },
  optionHelp: ['--email <e>         the admin’s sign-in e-mail (required)', `--role <r>          ${ADMIN_ROLES.join(' | ')} (required)`],
  async run({ config, values, out }) {
    const email = values.email;
    const role = values.role;
    if (typeof email !== 'string' || typeof role !== 'string') {
      throw new UsageError('Give --email and --role, e.g. quickchat admin create --email you@example.com --role super_admin');
    }
    const r = await withDatabase(config(), 'quickchat admin create', (d) => asUsage(() => createAdmin(d.db, email, role, new Date())));
    if (values.json) out(JSON.stringify(r, null, 2));
    else {
      out(
        `admin #${r.adminId}: ${r.email} is ${r.role}${r.userCreated ? ' (new account: sign in with a magic link to this address)' : ''}`,
      );
      out('Sign in to the admin API with POST /api/auth/verify and your session token.');
    }
    return 0;
  },
};

export const adminDisable: Command = {
  name: 'admin disable',
  summary: 'Disable an admin and end its admin sessions at once. Audited.',
  options: { email: { type: 'string' } },
  optionHelp: ['--email <e>         the admin’s e-mail (required)'],
  async run({ config, values, out }) {
    const email = values.email;
    if (typeof email !== 'string') throw new UsageError('Give --email, e.g. quickchat admin disable --email you@example.com');
    const r = await withDatabase(config(), 'quickchat admin disable', (d) => asUsage(() => disableAdminByEmail(d.db, email, new Date())));
    out(`admin #${r.adminId} (${r.email}) is disabled`);
    return 0;
  },
};

export const adminList: Command = {
  name: 'admin list',
  summary: 'List admins with their role, state and last sign-in.',
  json: true,
  async run({ config, values, out }) {
    const admins = await withDatabase(config(), 'quickchat admin list', (d) => listAdmins(d.db));
    const rows = admins.map((a) => ({
      id: a.id,
      email: a.email,
      role: a.role,
      disabled: a.disabled,
      last_login_at: a.last_login_at?.toISOString() ?? null,
    }));
    if (values.json) out(JSON.stringify({ admins: rows }, null, 2));
    else if (!rows.length) out('No admins yet: quickchat admin create --email <e> --role super_admin');
    else
      for (const a of rows)
        out(
          `#${a.id}  ${a.role.padEnd(13)} ${a.disabled ? 'disabled' : 'enabled '}  ${a.email}  last sign-in ${a.last_login_at ?? 'never'}`,
        );
    return 0;
  },
};
