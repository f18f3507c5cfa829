import { listBackups, restoreBackup } from '../../migrate/index.ts';
import { type Command, UsageError, withDatabaseRaw } from '../command.ts';

export const migrateBackupList: Command = {
  name: 'migrate backup list',
  summary: 'List the backups taken before destructive migration statements (in the migration_backup schema).',
  json: true,
  async run({ config, values, out }) {
    const backups = await withDatabaseRaw(config(), 'quickchat migrate backup list', (d) => listBackups(d.db));
    if (values.json) {
      out(JSON.stringify({ backups }, null, 2));
      return 0;
    }
    if (!backups.length) out('No backups.');
    for (const b of backups) {
      const what = b.kind === 'columns' ? `${b.table_name}(${b.columns.join(', ')})` : `${b.table_name} (${b.kind})`;
      const restored = b.restored_at ? `, restored ${new Date(b.restored_at).toISOString()}` : '';
      out(
        `#${b.id}  ${new Date(b.created_at).toISOString()}  ${b.migration_name} ${b.direction} statement ${b.statement_no}  ${what}  ${Number(b.row_count).toLocaleString('en-US')} rows → ${b.backup_table}${restored}`,
      );
    }
    return 0;
  },
};

export const migrateRestore: Command = {
  name: 'migrate restore',
  args: '<id>',
  summary:
    'Put a backup back: dropped columns get their values again (after the down re-added them); dropped tables or rows are re-inserted.',
  json: true,
  async run({ config, positionals, values, out }) {
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id < 1)
      throw new UsageError('Give the backup id, e.g. quickchat migrate restore 3 (see: quickchat migrate backup list)');
    const { record, rows } = await withDatabaseRaw(config(), 'quickchat migrate restore', (d) => restoreBackup(d.db, id));
    if (values.json) out(JSON.stringify({ id, table: record.table_name, kind: record.kind, rows }, null, 2));
    else
      out(
        `Restored backup #${id} of ${record.table_name}: ${rows.toLocaleString('en-US')} rows ${record.kind === 'columns' ? 'updated' : 'inserted'}.`,
      );
    return 0;
  },
};
