import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { jobsOf, makeJobsDue } from '../../test/jobs.ts';
import { jobId } from '../job-queue/queue.ts';
import { jobsOfKeys, retryJob } from '../jobs/operator.ts';
import { runJob } from '../jobs/runner.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { doneKey, fileDeleteJobKey, queueFileDeletions } from './queries.ts';
import { fileDeletionOutboxJob, workFileDeletionOutbox } from './service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const key = (n: number) => `audio/1772445600000-${String(n).padStart(32, '0')}.webm`;

function queue(items: { target: 'storage' | 'video' | 'payment_intent'; key: string }[]) {
  return t.database.db.transaction().execute((trx) => queueFileDeletions(t.ctx.jobs, trx, items, t.ctx.now()));
}

/** Makes the storage adapter refuse one key until the returned function is called. */
function refuse(bad: string): () => void {
  const del = t.ctx.storage.delete;
  t.ctx.storage.delete = async (k) => {
    if (k === bad) throw new Error('storage says no');
    return del(k);
  };
  return () => {
    t.ctx.storage.delete = del;
  };
}

describe('file-delete queue', () => {
  it('queues one job per item in the queuing transaction, and none when it rolls back', async () => {
    const [item] = await queue([{ target: 'storage', key: key(9) }]);
    const jobs = await jobsOf(t.ctx, 'file-delete');
    expect(jobs.filter((j) => j.id === jobId('file-delete', fileDeleteJobKey(item?.id as number)))).toMatchObject([
      { state: 'created', data: { itemId: item?.id } },
    ]);
    const before = (await jobsOf(t.ctx, 'file-delete')).length;
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await queueFileDeletions(t.ctx.jobs, trx, [{ target: 'storage', key: key(10) }], t.ctx.now());
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await jobsOf(t.ctx, 'file-delete')).toHaveLength(before);
    expect(await t.database.db.selectFrom('file_deletion_outbox').where('object_key', '=', key(10)).execute()).toEqual([]);
    await workFileDeletionOutbox(t.ctx);
  });

  it('deletes objects idempotently; a failing item is retried with back-off and never blocks the others', async () => {
    const keys = [key(1), key(2)];
    for (const k of keys) await t.ctx.storage.put(k, Buffer.from('x'), { contentType: 'audio/webm' });
    const [a, b, missing] = await queue([
      { target: 'storage', key: keys[0] as string },
      { target: 'storage', key: keys[1] as string },
      { target: 'storage', key: key(3) },
    ]);
    const restore = refuse(keys[0] as string);
    try {
      const first = await runJob(t.ctx, fileDeletionOutboxJob, { trigger: 'cli' });
      expect(first).toMatchObject({ items: 3, done: 2, failed: 1 });
    } finally {
      restore();
    }
    expect(await t.ctx.storage.head(keys[1] as string)).toBeNull();
    const rows = await t.database.db.selectFrom('file_deletion_outbox').selectAll().orderBy('id').execute();
    expect(rows.find((r) => r.id === a?.id)).toMatchObject({ attempts: 1, last_error: 'storage says no', done_at: null });
    // Done items keep only the hash of their key (keys embed file names).
    expect(rows.find((r) => r.id === b?.id)?.object_key).toBe(doneKey(keys[1] as string));
    expect(rows.find((r) => r.id === missing?.id)?.done_at).not.toBeNull();
    // The retry is pg-boss's: the job waits out the queue's back-off.
    const job = (await jobsOfKeys(t.database.db, 'file-delete', [fileDeleteJobKey(a?.id as number)])).get(
      fileDeleteJobKey(a?.id as number),
    );
    expect(job).toMatchObject({ state: 'retry' });
    expect(job?.startAfter.getTime()).toBeGreaterThan(Date.now());

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/file_deletion_outbox_pending 1/);
    expect(metrics.body).toMatch(/file_deletion_outbox_failing 1/);

    expect((await workFileDeletionOutbox(t.ctx)).items).toBe(0); // not due yet
    await makeJobsDue(t.ctx, 'file-delete');
    expect(await workFileDeletionOutbox(t.ctx)).toMatchObject({ items: 1, done: 1, failed: 0 });
    expect(await t.ctx.storage.head(keys[0] as string)).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/file_deletion_outbox_pending 0/);
  });

  it('gives pending rows without a job (queued before the move to pg-boss) their job', async () => {
    await t.ctx.storage.put(key(4), Buffer.from('x'), { contentType: 'audio/webm' });
    const [row] = await t.database.db
      .insertInto('file_deletion_outbox')
      .values({ target: 'storage', object_key: key(4), created_at: t.ctx.now() })
      .returning('id')
      .execute();
    expect(await workFileDeletionOutbox(t.ctx)).toMatchObject({ items: 1, done: 1 });
    expect(await t.ctx.storage.head(key(4))).toBeNull();
    const done = await t.database.db
      .selectFrom('file_deletion_outbox')
      .select('done_at')
      .where('id', '=', row?.id as number)
      .executeTakeFirst();
    expect(done?.done_at).not.toBeNull();
  });

  it('keeps an item that ran out of retries pending, and jobs retry gives it one more attempt', async () => {
    await t.ctx.storage.put(key(5), Buffer.from('x'), { contentType: 'audio/webm' });
    const [item] = await queue([{ target: 'storage', key: key(5) }]);
    const id = jobId('file-delete', fileDeleteJobKey(item?.id as number));
    const restore = refuse(key(5));
    try {
      await workFileDeletionOutbox(t.ctx);
      // Out of retries: the state pg-boss leaves a job in after its last one.
      await sql`UPDATE pgboss.job SET state = 'failed' WHERE id = ${id}::uuid`.execute(t.ctx.db);
    } finally {
      restore();
    }
    const before = (await jobsOfKeys(t.database.db, 'file-delete', [fileDeleteJobKey(item?.id as number)])).get(
      fileDeleteJobKey(item?.id as number),
    );
    expect(before?.state).toBe('failed');
    const row = await t.database.db
      .selectFrom('file_deletion_outbox')
      .selectAll()
      .where('id', '=', item?.id as number)
      .executeTakeFirst();
    expect(row).toMatchObject({ done_at: null, attempts: 1 });

    expect(await retryJob(t.ctx, id)).toMatchObject({ queue: 'file-delete', payload: { itemId: item?.id } });
    await makeJobsDue(t.ctx, 'file-delete');
    expect(await workFileDeletionOutbox(t.ctx)).toMatchObject({ items: 1, done: 1 });
    expect(await t.ctx.storage.head(key(5))).toBeNull();
    // Done: a retry would delete nothing, and says so.
    await sql`UPDATE pgboss.job SET state = 'failed' WHERE id = ${id}::uuid`.execute(t.ctx.db);
    await expect(retryJob(t.ctx, id)).rejects.toMatchObject({ status: 409, code: 'job_not_retryable', message: /already done/ });
  });

  it('scrubs the personal metadata of a payment intent at the provider', async () => {
    const intent = await t.ctx.payments.createIntent({
      amount: 5000,
      currency: 'usd',
      description: 'x',
      metadata: { customer_email: 'someone@example.test', client_ip: '10.0.0.1', tier_type: 'quick_consult' },
    });
    await queue([{ target: 'payment_intent', key: intent.id }]);
    await workFileDeletionOutbox(t.ctx);
    const after = await t.ctx.payments.retrieveIntent(intent.id);
    expect(after?.metadata).toMatchObject({ customer_email: '', client_ip: '', tier_type: 'quick_consult' });
  });
});
