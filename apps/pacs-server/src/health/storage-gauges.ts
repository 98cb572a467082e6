import { Injectable, OnModuleInit } from '@nestjs/common';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore } from '@pacs/storage';

/** The storage figures /health reports, as gauges Prometheus can alert on before stores are refused. */
@Injectable()
export class StorageGauges implements OnModuleInit {
  constructor(
    private readonly metrics: PacsMetrics,
    private readonly blobs: BlobStore,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('pacs_storage_free_bytes', 'Free bytes on the filesystem of the blob store', async () => (await this.blobs.freeSpace()).freeBytes);
    this.metrics.gauge('pacs_storage_total_bytes', 'Size in bytes of the filesystem of the blob store', async () => (await this.blobs.freeSpace()).totalBytes);
  }
}
