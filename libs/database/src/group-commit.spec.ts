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
      { onError: (_err, items) => reported.push(items) },
    );
    const outcomes = await Promise.allSettled([group.add('a'), group.add('b')]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(reported, [2]);
    await group.settled();
  });

  it('with writeOne, a bad item in a batch fails only its own caller: the others are written one by one', async () => {
    const batches: string[][] = [];
    const alone: string[] = [];
    const reported: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const refuse = (item: string) => {
      if (item.includes('\0')) throw new Error('unsupported Unicode escape sequence');
    };
    const group = new GroupCommit(
      async (items: string[]) => {
        batches.push(items);
        items.forEach(refuse);
        return items.map((s) => s.toUpperCase());
      },
      10,
      {
        writeOne: async (item: string) => {
          alone.push(item);
          mostAtOnce = Math.max(mostAtOnce, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          refuse(item);
          return item.toUpperCase();
        },
        inOrder: true,
        onError: (_err, items) => reported.push(items),
      },
    );
    const outcomes = await Promise.allSettled(['echo', 'ad\0min', 'login', 'query'].map((s) => group.add(s)));
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
      ['ECHO', 'unsupported Unicode escape sequence', 'LOGIN', 'QUERY'],
    );
    assert.deepEqual(batches, [['echo', 'ad\0min', 'login', 'query']]);
    assert.deepEqual(alone, ['echo', 'ad\0min', 'login', 'query'], 'retried in the order added');
    assert.equal(mostAtOnce, 1, 'one after another');
    assert.deepEqual(reported, [4]);
  });

  it('with writeOne, writes a lone item on its own and retries a failed batch all at once unless in order', async () => {
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const group = new GroupCommit(
      async (items: number[]) => {
        if (items.length > 1) throw new Error('deadlock detected');
        return items;
      },
      10,
      {
        writeOne: async (n: number) => {
          started.push(n);
          mostAtOnce = Math.max(mostAtOnce, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          return n * 2;
        },
      },
    );
    assert.equal(await group.add(1), 2);
    assert.deepEqual(started, [1], 'a batch of one goes to writeOne');
    assert.deepEqual(await Promise.all([2, 3, 4].map((n) => group.add(n))), [4, 6, 8]);
    assert.equal(mostAtOnce, 3);
  });
});
