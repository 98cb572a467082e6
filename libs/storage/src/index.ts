export { openBucket, StorageModule } from './storage.module';
export { BlobStore, compareKeys } from './blob-store';
export type { BlobStat, TempBlob, TempBlobWriter, TempSweep, UnreferencedKeys } from './blob-store';
export { FilesystemBlobStore } from './filesystem-blob-store';
export { ProcessTempOwners } from './temp-owner';
export type { OwnerState, TempOwners } from './temp-owner';
export { S3BlobStore } from './s3-blob-store';
export { StorageError } from './s3-client';
export type { S3Settings } from './s3-client';
