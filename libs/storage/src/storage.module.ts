import { Global, Module } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem-blob-store';
import { S3BlobStore } from './s3-blob-store';

/**
 * The blob store of PACS_STORAGE_BACKEND. A bucket that is missing, refuses the credentials or
 * cannot be reached stops the start, with a message naming the setting. What a crash left in
 * the store is swept at start-up by the index (IngestRecovery), which knows what rows reference.
 */
export async function blobStoreFor(config: PacsConfig, metrics?: PacsMetrics): Promise<BlobStore> {
  if (config.storage.backend === 'filesystem') return new FilesystemBlobStore(config.dataDir);
  const s3 = { ...config.storage.s3, bucket: config.storage.s3.bucket as string };
  const store = new S3BlobStore(s3, config.dataDir, { onError: (operation) => metrics?.storageErrors.inc({ operation }) });
  await store.reachable();
  return store;
}

@Global()
@Module({
  providers: [{ provide: BlobStore, inject: [PacsConfig, { token: PacsMetrics, optional: true }], useFactory: blobStoreFor }],
  exports: [BlobStore],
})
export class StorageModule {}
