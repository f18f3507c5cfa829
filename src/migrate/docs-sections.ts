import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Migration } from './load.ts';

/** The `## Heading` sections of a migration's README.md (after the front matter), by heading. */
export function readmeSections(m: Migration): Map<string, string> {
  const file = join(m.dir, 'README.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8').replace(/^---\n[\s\S]*?\n---\n?/, '') : '';
  const out = new Map<string, string>();
  let current: string | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current !== null) out.set(current.toLowerCase(), buf.join('\n').trim());
  };
  for (const line of text.split('\n')) {
    const h = /^##\s+(.+?)\s*$/.exec(line);
    if (h) {
      flush();
      current = h[1] as string;
      buf = [];
    } else if (current !== null) buf.push(line);
  }
  flush();
  return out;
}

/** The process and best-practice sections of the legacy handbook, each step tied to what enforces it now. */
export const PROCESS = `## Migration Process

### Planning Phase
1. **Document current state** - \`migrate new <name>\` scaffolds the README: Summary, Changes, Before/After
2. **Design new architecture** - expand → backfill → deprecate → contract, one migration per phase
3. **Identify impact** - the README's Impact section; \`migrate lint\` searches \`src/\` for dropped columns still in use
4. **Create rollback plan** - \`down.sql\`, the rollback as code (or \`-- irreversible: <reason>\`)

### Implementation Phase
1. **Update database schema** - \`up.sql\`; data changes as a declared batched backfill (\`backfill.yaml\`)
2. **Update the server** - the app stops using deprecated columns before the contract migration
3. **Update frontend code** - the legacy client keeps working unchanged (same paths and shapes)
4. **Update documentation** - \`migrate docs\` regenerates this file

### Testing Phase
1. **Lint** - \`migrate lint\`: the rules below, on the PostgreSQL parser's AST, with data probes against the target database
2. **Round trip** - \`migrate verify\`: up → down → up of every migration on a scratch database, schema fingerprints compared
3. **Real data** - the legacy data set is migrated from the initial schema to the head and back, losing no row or link
4. **Plan** - \`migrate plan\`: locks, rewrites, row counts and risk of each statement, against the target database

### Deployment Phase
1. **Apply** - \`migrate up\` (or on start): lock_timeout on every statement, retries with jittered backoff, backups before destructive statements
2. **Backfill** - batched, checkpointed, resumable after a crash, with progress and ETA
3. **Monitoring** - \`migrate status\` shows applied, pending and half-applied migrations with the step they stopped at
4. **Validation** - lock waits and holds and backfilled rows are recorded with each applied migration

---

## Migration Best Practices

### Database Migrations

**DO:**
- ✅ Make changes additive when possible (add columns, don't remove)
- ✅ Test thoroughly: \`migrate verify\` and the test suite, on PGlite and PostgreSQL
- ✅ Create comprehensive rollback plans (\`down.sql\`; the engine restores dropped data from \`migration_backup\`)
- ✅ Document all changes with before/after examples (the README of each migration)
- ✅ Coordinate backend and frontend deployments (deprecate in one release, contract in a later one)

**DON'T** (each enforced by \`migrate lint\`, rule id in brackets):
- ✗ Remove columns immediately (deprecate first) [\`drop-without-deprecation\`, \`dropped-column-in-use\`]
- ✗ Change data types without migration script [\`type-change\`]
- ✗ Deploy breaking changes without version compatibility [\`rename\`, \`drop-without-deprecation\`]
- ✗ Modify production schema without backup [\`destructive-without-backup\`]
- ✗ Skip the rollback plan [\`missing-rollback\`]
- ✗ Lock a populated table for a scan or rewrite [\`set-not-null\`, \`constraint-not-valid\`, \`index-without-concurrently\`, \`unique-without-index\`, \`not-null-without-default\`, \`volatile-default\`]
- ✗ Update a whole table in one statement [\`unbatched-update\`]

### Feature Migrations

**DO:**
- ✅ Implement feature flags for gradual rollout
- ✅ Maintain backward compatibility during transition
- ✅ Monitor metrics before/after migration

**DON'T:**
- ✗ Break existing user workflows
- ✗ Remove old features without deprecation period
`;
