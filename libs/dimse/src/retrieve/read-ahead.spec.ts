import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storedInstance as instance } from './stored-instance.test-helper';
import { ReadAhead } from './read-ahead';

describe('ReadAhead', () => {
  it('gives every instance in order, reads a few ahead, and reuses buffers once released', async () => {
    const instances = [1, 2, 3, 4, 5, 6, 7].map((n) => instance(n));
    const started: string[] = [];
    const targets = new Set<ArrayBufferLike>();
    const ahead = new ReadAhead(
      instances,
      async (i, target) => {
        started.push(i.sopInstanceUid);
        targets.add(target.buffer);
        target.write(i.sopInstanceUid);
        return target.subarray(0, i.sopInstanceUid.length);
      },
      { instances: 3, bytes: 1 << 30 },
    );
    const got: string[] = [];
    for (let read = ahead.next(); read; read = ahead.next()) {
      const r = await read;
      assert.ok(Buffer.isBuffer(r.bytes));
      got.push(r.bytes.toString());
      // Never more than the limit read ahead of the one being sent.
      assert.ok(started.length <= got.length + 3);
      r.release();
    }
    assert.deepEqual(got, instances.map((i) => i.sopInstanceUid));
    assert.ok(targets.size <= 4, `${targets.size} buffers for 7 instances`);
  });

  it('hands a read failure over as an error in its place, and goes on', async () => {
    const ahead = new ReadAhead([instance(1), instance(2)], async (i, target) => {
      if (i.blobKey === 'k1') throw new Error('gone');
      return target.subarray(0, 1);
    });
    const first = await ahead.next()!;
    assert.ok(first.bytes instanceof Error);
    first.release();
    const second = await ahead.next()!;
    assert.ok(Buffer.isBuffer(second.bytes));
    assert.equal(ahead.next(), undefined);
  });

  it('stays within the byte limit, but always reads the next instance', async () => {
    const started: number[] = [];
    const ahead = new ReadAhead(
      [instance(1, 3 << 20), instance(2, 3 << 20), instance(3, 3 << 20)],
      async (i, target) => {
        started.push(i.sizeBytes);
        return target.subarray(0, i.sizeBytes);
      },
      { instances: 10, bytes: 1 << 20 },
    );
    const first = await ahead.next()!;
    assert.equal(started.length, 1);
    first.release();
    assert.ok(ahead.next());
  });
});
