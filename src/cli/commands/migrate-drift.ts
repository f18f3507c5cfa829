import { describeDrift, detectDrift } from '../../migrate/drift.ts';
import { loadMigrations, MIGRATIONS_DIR } from '../../migrate/index.ts';
import { type Command, withDatabaseRaw } from '../command.ts';

export const migrateDrift: Command = {
  name: 'migrate drift',
  summary:
    'Compare the live schema with the one the applied history builds (on a scratch PGlite): each difference with the SQL that reconciles it; exit 1 on drift.',
  options: { json: { type: 'boolean' } },
  optionHelp: ['--json              machine-readable output'],
  async run({ config, values, out }) {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const report = await withDatabaseRaw(config(), 'quickchat migrate drift', (d) => detectDrift(d.db, migrations));
    if (values.json) out(JSON.stringify(report, null, 2));
    else if (!report.items.length) out(`No drift: the live schema is what the ${report.applied} applied migrations build.`);
    else {
      for (const line of describeDrift(report.items)) out(line);
      out(`${report.items.length} difference${report.items.length === 1 ? '' : 's'} from the history of ${report.applied} migrations.`);
    }
    return report.items.length ? 1 : 0;
  },
};
