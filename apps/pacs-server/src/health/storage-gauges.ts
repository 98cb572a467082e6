import { Injectable, OnModuleInit } from '@nestjs/common';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore } from '@pacs/storage';

type Space = { freeBytes: number; totalBytes: number };

/** The storage figures /health reports, as gauges Prometheus can alert on before stores are refused. */
@Injectable()
export class StorageGauges implements OnModuleInit {
  /** One statfs serves both gauges of a scrape (they are collected together). */
  private reading: Promise<Space> | undefined;

  constructor(
    private readonly metrics: PacsMetrics,
    private readonly blobs: BlobStore,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('pacs_storage_free_bytes', 'Free bytes on the filesystem of the blob store', async () => (await this.space()).freeBytes);
    this.metrics.gauge('pacs_storage_total_bytes', 'Size in bytes of the filesystem of the blob store', async () => (await this.space()).totalBytes);
  }

  private space(): Promise<Space> {
    this.reading ??= this.blobs.freeSpace().finally(() => (this.reading = undefined));
    return this.reading;
  }
}
