import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { requests } from 'dcmjs-dimse';
import type { StoredInstance } from '@pacs/index';
import { storedInstance } from './stored-instance.test-helper';
import { runRetrieve, SubOperationCounts } from './retrieve-operation';
import type { StoreChannel } from './store-channel';

const instance = (n: number): StoredInstance => storedInstance(n, 132);

/** A Part 10 file with an empty data set: enough for a C-STORE request of the stored bytes. */
async function load(_: StoredInstance, target: Buffer): Promise<Buffer> {
  target.fill(0, 0, 128).write('DICM', 128, 'latin1');
  return target.subarray(0, 132);
}

/** A destination association: answers each C-STORE after `delayMs`; ends (rejects) at store number `endAt`. */
function channel(opts: { delayMs?: number; endAt?: number; status?: number } = {}): StoreChannel & { got: string[] } {
  const got: string[] = [];
  return {
    got,
    acceptedSyntaxes: () => ['1.2.840.10008.1.2.1'],
    async store(request: requests.CStoreRequest) {
      if (opts.endAt !== undefined && got.length + 1 >= opts.endAt) throw new Error('association ended');
      got.push(request.getAffectedSopInstanceUid());
      await new Promise((resolve) => setTimeout(resolve, opts.delayMs ?? 1));
      return opts.status ?? 0;
    },
  };
}

function run(instances: StoredInstance[], channels: Promise<StoreChannel>[], signal = new AbortController().signal) {
  const progress: SubOperationCounts[] = [];
  const outcome = runRetrieve({ instances, channels, load, signal, onProgress: (c) => progress.push(c) });
  return { outcome, progress };
}

const uids = (n: number) => Array.from({ length: n }, (_, i) => `1.2.3.${i + 1}`);

describe('runRetrieve', () => {
  it('sends every instance once over two channels, each taking the next when free', async () => {
    const [a, b] = [channel({ delayMs: 2 }), channel({ delayMs: 2 })];
    const { outcome, progress } = run(uids(10).map((_, i) => instance(i + 1)), [Promise.resolve(a), Promise.resolve(b)]);
    const { counts, status, failedSopInstanceUids } = await outcome;
    assert.deepEqual(counts, { remaining: 0, completed: 10, failed: 0, warning: 0 });
    assert.equal(status, 0);
    assert.deepEqual(failedSopInstanceUids, []);
    assert.deepEqual([...a.got, ...b.got].sort(), uids(10).sort());
    assert.ok(a.got.length >= 3 && b.got.length >= 3, `split ${a.got.length}/${b.got.length}`);
    assert.deepEqual(progress.map((p) => p.remaining), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('moves the rest to the other channel when one association ends, failing only the instance it was sending', async () => {
    const [a, b] = [channel({ delayMs: 1, endAt: 2 }), channel({ delayMs: 3 })];
    const { counts, status, failedSopInstanceUids } = await run(uids(8).map((_, i) => instance(i + 1)), [Promise.resolve(a), Promise.resolve(b)]).outcome;
    assert.deepEqual(counts, { remaining: 0, completed: 7, failed: 1, warning: 0 });
    assert.equal(status, 0xb000);
    assert.equal(failedSopInstanceUids.length, 1);
    assert.ok(!a.got.includes(failedSopInstanceUids[0]) && !b.got.includes(failedSopInstanceUids[0]));
  });

  it('fails what is left when the only association ends', async () => {
    const { counts, failedSopInstanceUids } = await run(uids(5).map((_, i) => instance(i + 1)), [Promise.resolve(channel({ endAt: 3 }))]).outcome;
    assert.deepEqual(counts, { remaining: 0, completed: 2, failed: 3, warning: 0 });
    assert.deepEqual(failedSopInstanceUids, ['1.2.3.3', '1.2.3.4', '1.2.3.5']);
  });

  it('does not wait for a channel still opening, nor count one that failed to open', async () => {
    const a = channel();
    const never = new Promise<StoreChannel>(() => undefined);
    const { counts, status } = await run(uids(4).map((_, i) => instance(i + 1)), [Promise.resolve(a), never, Promise.reject(new Error('refused'))]).outcome;
    assert.deepEqual(counts, { remaining: 0, completed: 4, failed: 0, warning: 0 });
    assert.equal(status, 0);
    assert.equal(a.got.length, 4);
  });

  it('counts warnings and failures from C-STORE statuses', async () => {
    const { counts, status, failedSopInstanceUids } = await run([instance(1), instance(2)], [Promise.resolve(channel({ status: 0xb007 })), Promise.resolve(channel({ status: 0xa700 }))]).outcome;
    assert.equal(counts.warning + counts.failed, 2);
    assert.equal(failedSopInstanceUids.length, counts.failed);
    assert.equal(status, 0xb000);
  });

  it('stops at a cancel with the remaining count and status 0xFE00', async () => {
    const abort = new AbortController();
    const a = channel({ delayMs: 2 });
    const { outcome } = run(uids(50).map((_, i) => instance(i + 1)), [Promise.resolve(a), Promise.resolve(channel({ delayMs: 2 }))], abort.signal);
    setTimeout(() => abort.abort(), 10);
    const { counts, status } = await outcome;
    assert.equal(status, 0xfe00);
    assert.ok(counts.remaining > 0 && counts.completed > 0, JSON.stringify(counts));
    assert.equal(counts.remaining + counts.completed, 50);
  });
});
