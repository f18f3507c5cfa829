import { describeDrift, detectDrift, loadMigrations, MIGRATIONS_DIR, squashMigrations } from '../../migrate/index.ts';
import { type Command, intOption, UsageError, withDatabaseRaw } from '../command.ts';

export const migrateDrift: Command = {
  name: 'migrate drift',
  summary:
    'Compare the live schema with the one the applied history builds (on a scratch PGlite): each difference with the SQL that reconciles it; exit 1 on drift.',
  json: true,
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

export const migrateSquash: Command = {
  name: 'migrate squash',
  summary:
    'Write migrations/baseline_NNNN/ (or --out DIR): the schema and seed rows of the history up to N in one file, verified equal by fingerprint; empty databases start from it, existing ones keep their history.',
  options: { until: { type: 'string' }, out: { type: 'string' } },
  optionHelp: [
    '--until N           squash migrations up to and including N (required)',
    '--out DIR           write the baseline folder under DIR (default migrations/)',
  ],
  async run({ values, out }) {
    const until = intOption(values, 'until');
    if (until === undefined) throw new UsageError('Give --until N: the last migration the baseline stands for');
    const b = await squashMigrations(loadMigrations(MIGRATIONS_DIR), until, typeof values.out === 'string' ? values.out : MIGRATIONS_DIR);
    out(`Wrote ${b.dir}: ${b.history.length} migrations, schema ${b.schema.slice(0, 12)} (verified on a scratch database).`);
    return 0;
  },
};
