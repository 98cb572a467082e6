import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes items added together in one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 10);
    }, 100);
    const results = await Promise.all([1, 2, 3].map((n) => group.add(n)));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('queues items added while a batch is written into the next one, up to the largest batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const firstWritten = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await firstWritten;
      return items;
    }, 2);
    const first = group.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => group.add(n));
    release();
    assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3, 4]);
    assert.deepEqual(batches, [[1], [2, 3], [4]]);
  });

  it('rejects every caller of a failed batch and reports it once', async () => {
    const reported: number[] = [];
    const group = new GroupCommit(
      async () => {
        throw new Error('database gone');
      },
      10,
      (_err, items) => reported.push(items),
    );
    const outcomes = await Promise.allSettled([group.add('a'), group.add('b')]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(reported, [2]);
    await group.settled();
  });
});
