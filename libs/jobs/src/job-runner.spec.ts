import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobRunner } from './job-runner';
import type { ClaimedJob, JobHandler } from './job.types';

const settings = { pollMs: 10_000, concurrency: 1, leaseMs: 60_000, retryBaseMs: 1000, retryMaxMs: 60_000, keepHours: 24 };
const quiet = { warn: () => undefined, error: () => undefined };
const job = (id: string, attempt = 1): ClaimedJob => ({ id, type: 'forward', payload: {}, orderingKey: 'AE', attempt, maxAttempts: 5 });

/** A repository that hands out one batch and records what the runner reports. */
function fakeRepo(batch: ClaimedJob[]) {
  const calls = { completed: [] as string[][], failed: [] as { id: string; error: string; delayMs: number }[], batchSizeAsked: 0 };
  let given = false;
  const repo = {
    claim: async (_types: string[], batchSizeOf: (type: string) => number) => {
      calls.batchSizeAsked = batchSizeOf('forward');
      if (given) return [];
      given = true;
      return batch;
    },
    renew: async () => undefined,
    complete: async (ids: string[]) => void calls.completed.push(ids),
    fail: async (id: string, _worker: string, error: string, delayMs: number) => void calls.failed.push({ id, error, delayMs }),
    prune: async () => undefined,
  };
  return { repo, calls };
}

const runner = (repo: ReturnType<typeof fakeRepo>['repo'], handler: JobHandler) => new JobRunner(repo, new Map([[handler.type, handler]]), 'node-a/1', settings, quiet);

describe('job runner: outcomes of a batch', () => {
  it('completes the jobs the handler answered for and retries the others after their backoff', async () => {
    const { repo, calls } = fakeRepo([job('1'), job('2', 3), job('3')]);
    const handler: JobHandler = { type: 'forward', batchSize: 50, run: async () => [undefined, new Error('refused 0xA700'), undefined] };
    assert.equal(await runner(repo, handler).runOnce(), true);
    assert.equal(calls.batchSizeAsked, 50, "the claim takes the handler's batch size");
    assert.deepEqual(calls.completed, [['1', '3']]);
    assert.deepEqual(calls.failed, [{ id: '2', error: 'refused 0xA700', delayMs: 4000 }], 'third attempt: base × 4');
  });

  it('fails every job of the batch when the handler throws', async () => {
    const { repo, calls } = fakeRepo([job('1'), job('2')]);
    const handler: JobHandler = { type: 'forward', run: async () => Promise.reject(new Error('cannot associate')) };
    await runner(repo, handler).runOnce();
    assert.deepEqual(calls.completed, [[]]);
    assert.deepEqual(calls.failed.map((f) => [f.id, f.error]), [['1', 'cannot associate'], ['2', 'cannot associate']]);
  });

  it('reports nothing ran when no job is due', async () => {
    const { repo } = fakeRepo([]);
    assert.equal(await runner(repo, { type: 'forward', run: async () => [] }).runOnce(), false);
  });

  it('an idle runner wakes at once when jobs are queued, not at its next poll', async () => {
    let claims = 0;
    const repo = { ...fakeRepo([]).repo, claim: async () => (claims++, []) };
    const r = runner(repo, { type: 'forward', run: async () => [] });
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(claims, 1, 'claimed once, then sleeps for the 10 s poll');
    r.wake();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(claims, 2);
    await r.stop();
  });
});
