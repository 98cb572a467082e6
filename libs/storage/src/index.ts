export { StorageModule } from './storage.module';
export { BlobStore } from './blob-store';
export type { TempBlob, TempBlobWriter } from './blob-store';
export { FilesystemBlobStore } from './filesystem-blob-store';
