import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PacsMetrics } from '@pacs/metrics';
import type { BlobStore } from '@pacs/storage';
import { StorageGauges } from './storage-gauges';

describe('storage gauges', () => {
  it('reads the filesystem once per scrape for both gauges', async () => {
    let reads = 0;
    const blobs = {
      freeSpace: async () => {
        reads++;
        return { freeBytes: 7, totalBytes: 10 };
      },
    } as unknown as BlobStore;
    const metrics = new PacsMetrics();
    new StorageGauges(metrics, blobs).onModuleInit();
    const text = await metrics.registry.metrics();
    assert.match(text, /^pacs_storage_free_bytes 7$/m);
    assert.match(text, /^pacs_storage_total_bytes 10$/m);
    assert.equal(reads, 1);
    await metrics.registry.metrics();
    assert.equal(reads, 2, 'a later scrape reads afresh');
  });
});
