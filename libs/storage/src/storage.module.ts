import { Global, Module } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { S3Operation, StorageError } from './s3-client';

/**
 * The blob store of PACS_STORAGE_BACKEND. A bucket that is missing, refuses the credentials or
 * cannot be reached stops the start, with a message naming the setting. What a crash left in
 * the store is swept at start-up by the index (IngestRecovery), which knows what rows reference.
 */
export async function blobStoreFor(config: PacsConfig, metrics?: PacsMetrics): Promise<BlobStore> {
  if (config.storage.backend === 'filesystem') return new FilesystemBlobStore(config.dataDir);
  return openBucket(config, (operation) => metrics?.storageErrors.inc({ operation }));
}

/** The bucket of PACS_S3_*, once it is known to be usable (else an error naming the setting). */
export async function openBucket(config: PacsConfig, onError?: (operation: S3Operation) => void): Promise<S3BlobStore> {
  const bucket = config.storage.s3.bucket;
  if (!bucket) throw new StorageError('PACS_S3_BUCKET is not set', 'no-bucket');
  const store = new S3BlobStore({ ...config.storage.s3, bucket }, config.dataDir, { onError });
  await store.reachable();
  return store;
}

@Global()
@Module({
  providers: [{ provide: BlobStore, inject: [PacsConfig, { token: PacsMetrics, optional: true }], useFactory: blobStoreFor }],
  exports: [BlobStore],
})
export class StorageModule {}
