import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { dataSourceOptions, DatabaseHandle } from '@pacs/database';
import { testDatabase } from '../../../test/support/test-database';
import { JobRunner } from './job-runner';
import type { ClaimedJob, JobHandler, NewJob } from './job.types';
import { JobsRepository } from './jobs.repository';

const quiet = { warn: () => undefined, error: () => undefined };
const settings = { pollMs: 50, concurrency: 1, leaseMs: 60_000, retryBaseMs: 300, retryMaxMs: 10_000, keepHours: 24 };

describe('job queue on PostgreSQL: two nodes, leases, order, backoff', () => {
  let db: DatabaseHandle;
  let nodes: DataSource[];
  let a: JobsRepository;
  let b: JobsRepository;

  before(async () => {
    db = await testDatabase();
    nodes = await Promise.all([1, 2].map(() => new DataSource(dataSourceOptions(db.url, 10)).initialize()));
    [a, b] = nodes.map((n) => new JobsRepository(n));
  });

  after(async () => {
    for (const n of nodes ?? []) await n.destroy();
    await db?.stop();
  });

  beforeEach(async () => {
    await nodes[0].query('DELETE FROM jobs');
  });

  const queue = (jobs: NewJob[]) => a.insert(a.standalone(), jobs, 3);
  const states = async () => (await nodes[0].query('SELECT id::text AS id, state, attempts FROM jobs ORDER BY id')) as { id: string; state: string; attempts: number }[];

  it('two nodes claiming at once never take the same job, and together take every one', async () => {
    await queue(Array.from({ length: 40 }, (_, n) => ({ type: 'echo', payload: { n } })));
    const taken: string[] = [];
    const claimer = async (repo: JobsRepository, worker: string) => {
      for (;;) {
        const batch = await repo.claim(['echo'], () => 1, worker, 60_000);
        if (batch.length === 0) return;
        taken.push(...batch.map((j) => j.id));
      }
    };
    await Promise.all([a, b, a, b, a, b].map((repo, n) => claimer(repo, `node-${n % 2}/${n}`)));
    assert.equal(taken.length, 40);
    assert.equal(new Set(taken).size, 40, 'no job claimed twice');
  });

  it('runs the jobs of one destination in queue order, one batch at a time across nodes', async () => {
    await queue(Array.from({ length: 6 }, (_, n) => ({ type: 'forward', orderingKey: 'AE1', payload: { n } })));
    await queue([{ type: 'forward', orderingKey: 'AE2', payload: { n: 'other' } }]);
    const first = await a.claim(['forward'], () => 4, 'node-a', 60_000);
    assert.deepEqual(first.map((j) => j.payload.n), [0, 1, 2, 3], 'the first four, in order');
    const meanwhile = await b.claim(['forward'], () => 4, 'node-b', 60_000);
    assert.deepEqual(meanwhile.map((j) => j.payload.n), ['other'], 'AE1 is busy: the other node takes only AE2');
    assert.deepEqual(await b.claim(['forward'], () => 4, 'node-b', 60_000), []);
    await a.complete(first.map((j) => j.id), 'node-a');
    const next = await b.claim(['forward'], () => 4, 'node-b', 60_000);
    assert.deepEqual(next.map((j) => j.payload.n), [4, 5]);
  });

  it('concurrent claimers on both nodes take each destination\'s jobs once, in order, one batch at a time', async () => {
    await queue(Array.from({ length: 90 }, (_, n) => ({ type: 'forward', orderingKey: `AE${n % 3}`, payload: { n } })));
    const sequence = new Map<string, number[]>();
    const running = new Set<string>();
    const claimer = async (repo: JobsRepository, worker: string) => {
      for (;;) {
        const batch = await repo.claim(['forward'], () => 4, worker, 60_000);
        if (batch.length === 0) return;
        const key = batch[0].orderingKey!;
        assert.ok(!running.has(key), `${key} claimed while a batch of it runs`);
        running.add(key);
        sequence.set(key, [...(sequence.get(key) ?? []), ...batch.map((j) => j.payload.n as number)]);
        await sleep(2);
        running.delete(key);
        await repo.complete(batch.map((j) => j.id), worker);
      }
    };
    await Promise.all([a, b, a, b].map((repo, n) => claimer(repo, `node-${n % 2}/${n}`)));
    for (const k of [0, 1, 2]) {
      assert.deepEqual(sequence.get(`AE${k}`), Array.from({ length: 30 }, (_, i) => k + 3 * i), `AE${k}: each job once, in queue order`);
    }
  });

  it('keeps a destination in order while its first job waits for a retry', async () => {
    await queue(Array.from({ length: 3 }, (_, n) => ({ type: 'forward', orderingKey: 'AE1', payload: { n } })));
    const [head] = await a.claim(['forward'], () => 1, 'node-a', 60_000);
    await a.fail(head.id, 'node-a', 'association rejected', 60_000);
    assert.deepEqual(await b.claim(['forward'], () => 4, 'node-b', 60_000), [], 'nothing overtakes the job waiting for its retry');
  });

  it('claims a job again once the lease of the node that ran it has expired (the node died)', async () => {
    await queue([{ type: 'echo', payload: {} }]);
    const [dead] = await a.claim(['echo'], () => 1, 'node-a', 300);
    assert.deepEqual(await b.claim(['echo'], () => 1, 'node-b', 60_000), [], 'not while the lease holds');
    await sleep(400);
    const [again] = await b.claim(['echo'], () => 1, 'node-b', 60_000);
    assert.equal(again.id, dead.id);
    assert.equal(again.attempt, 2);
    await a.complete([dead.id], 'node-a');
    assert.deepEqual((await states()).map((s) => s.state), ['active'], "the dead node's late answer changes nothing");
    await b.complete([again.id], 'node-b');
    assert.deepEqual((await states()).map((s) => s.state), ['completed']);
  });

  it('retries a failed job after the backoff, and fails it for good after its last attempt', async () => {
    await queue([{ type: 'flaky', payload: {}, maxAttempts: 2 }]);
    const seen: ClaimedJob[] = [];
    const handler: JobHandler = { type: 'flaky', run: async (jobs) => (seen.push(...jobs), jobs.map(() => new Error('destination down'))) };
    const runner = new JobRunner(a, new Map([[handler.type, handler]]), 'node-a', settings, quiet);
    assert.equal(await runner.runOnce(), true);
    const [row] = (await nodes[0].query(`SELECT state, last_error, extract(epoch FROM run_after - updated_at) * 1000 AS wait_ms FROM jobs`)) as Record<string, unknown>[];
    assert.equal(row.state, 'retry');
    assert.equal(row.last_error, 'destination down');
    assert.ok(Math.abs(Number(row.wait_ms) - 300) < 50, `waits the base delay after the first attempt (${String(row.wait_ms)} ms)`);
    assert.equal(await runner.runOnce(), false, 'not due before the backoff has passed');
    await sleep(350);
    assert.equal(await runner.runOnce(), true);
    assert.deepEqual(await states(), [{ id: seen[0].id, state: 'failed', attempts: 2 }]);
  });

  it('an admin retry runs a failed job again with all its attempts; cancel keeps it from running', async () => {
    await queue([{ type: 'echo', payload: {}, maxAttempts: 1 }]);
    const [job] = await a.claim(['echo'], () => 1, 'node-a', 60_000);
    await a.fail(job.id, 'node-a', 'refused', 0);
    assert.equal((await a.get(job.id))?.state, 'failed');
    assert.equal(await a.retry(job.id).then((r) => r?.state), 'retry');
    assert.equal((await a.get(job.id))?.attempts, 0);
    assert.equal(await a.cancel(job.id), true);
    assert.deepEqual(await a.claim(['echo'], () => 1, 'node-a', 60_000), [], 'a cancelled job does not run');
    assert.equal((await a.get(job.id))?.state, 'cancelled');
    assert.equal(await a.cancel(job.id), true, 'deleting a cancelled job removes it');
    assert.equal(await a.get(job.id), undefined);
  });
});
