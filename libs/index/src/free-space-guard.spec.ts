import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlobStore } from '@pacs/storage';
import { FreeSpaceGuard } from './free-space-guard';

const MiB = 1024 * 1024;

function store(free: { bytes: number }, reads: { count: number }): BlobStore {
  return {
    freeSpace: async () => {
      reads.count++;
      return { freeBytes: free.bytes, totalBytes: 100 * 1024 * MiB };
    },
  } as unknown as BlobStore;
}

describe('free space guard', () => {
  it('refuses below the minimum with out-of-space, reads free space at most once a second, and lets stores resume', async () => {
    const free = { bytes: 5000 * MiB };
    const reads = { count: 0 };
    let now = 0;
    const guard = new FreeSpaceGuard(store(free, reads), 1024 * MiB, () => now);
    await Promise.all([guard.check(), guard.check(), guard.check()]);
    assert.equal(reads.count, 1, 'concurrent checks share one reading');
    free.bytes = 900 * MiB;
    now = 999;
    await guard.check();
    assert.equal(reads.count, 1, 'a reading is trusted for a second');
    now = 1000;
    await assert.rejects(guard.check(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'out-of-space');
      assert.equal(err.message, 'storage full: 900 MiB free, 1024 MiB required');
      return true;
    });
    free.bytes = 2000 * MiB;
    now = 2000;
    await guard.check();
    assert.equal(reads.count, 3);
  });
});
