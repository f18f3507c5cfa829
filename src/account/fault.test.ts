/**
 * Fault injection: the erasure is aborted at each of its statements in turn (a plugin on the
 * transaction throws before statement N runs); every time, every table must be exactly as before.
 */
import { type Kysely, type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import type { Db } from '../db/index.ts';
import type { DB } from '../db/schema.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { hashIdempotencyKey } from '../privacy/pseudonym.ts';
import { eraseAccountTx } from './erase-account.ts';
import { eraseAskerTx } from './erase-asker.ts';
import { codeFromOutbox, richExpert } from './test-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

class InjectedFault extends Error {}

/** Counts the statements it sees; throws instead of running statement `failAt`. */
function faultAt(failAt: number | null) {
  const state = { seen: 0 };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      state.seen++;
      if (state.seen === failAt) throw new InjectedFault(`injected fault at statement ${failAt}`);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return { plugin, state };
}

/** A digest of every row of every table of the schema. */
async function digest(db: Db): Promise<Record<string, string>> {
  const tables = await sql<{ t: string }>`
    SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(
    db,
  );
  const out: Record<string, string> = {};
  for (const { t: table } of tables.rows) {
    const r = await sql<{
      d: string;
    }>`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${sql.table(table)} x`.execute(db);
    out[table] = r.rows[0]?.d ?? '';
  }
  return out;
}

type Erasure = (trx: Kysely<DB>) => Promise<unknown>;

/** Runs the erasure once to count its statements (rolled back), then once per statement with a fault there. */
async function abortEveryStatement(erase: Erasure) {
  const db = t.database.db;
  const run = (plugin: KyselyPlugin, rollback: boolean) =>
    db.transaction().execute(async (trx) => {
      const r = await erase(trx.withPlugin(plugin));
      if (rollback) throw new InjectedFault('rolled back after counting');
      return r;
    });
  const before = await digest(db);
  const probe = faultAt(null);
  await expect(run(probe.plugin, true)).rejects.toBeInstanceOf(InjectedFault);
  const total = probe.state.seen;
  expect(total).toBeGreaterThan(15);
  expect(await digest(db)).toEqual(before);
  for (let n = 1; n <= total; n++) {
    await expect(run(faultAt(n).plugin, false), `statement ${n}`).rejects.toBeInstanceOf(InjectedFault);
    expect(await digest(db), `after a fault at statement ${n} of ${total}`).toEqual(before);
  }
  return total;
}

describe('erasure under fault injection', () => {
  it('leaves the database exactly as before when the account erasure fails at any statement', async () => {
    const acc = await richExpert(t, { questions: 2 });
    const total = await abortEveryStatement((trx) =>
      eraseAccountTx(t.ctx, trx, { userId: acc.expert.user.id, keyHash: hashIdempotencyKey('k'), now: t.ctx.now() }),
    );
    // And without a fault the same erasure commits.
    const done = await t.database.db
      .transaction()
      .execute((trx) => eraseAccountTx(t.ctx, trx, { userId: acc.expert.user.id, keyHash: hashIdempotencyKey('k'), now: t.ctx.now() }));
    expect(done?.counts.user).toBe(1);
    expect(total).toBeLessThan(60);
  });

  it('leaves the database exactly as before when an asker erasure fails at any statement', async () => {
    const acc = await richExpert(t, { questions: 2 });
    await t.app.inject({ method: 'POST', url: '/api/askers/erasure/request', payload: { email: acc.askerEmail } });
    const code = await codeFromOutbox(t, acc.askerEmail);
    const input = { email: acc.askerEmail, code, keyHash: hashIdempotencyKey('a'), now: t.ctx.now() };
    await abortEveryStatement((trx) => eraseAskerTx(t.ctx, trx, input));
    const done = await t.database.db.transaction().execute((trx) => eraseAskerTx(t.ctx, trx, input));
    expect(done?.counts.question).toBe(2);
  });
});
