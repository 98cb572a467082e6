import { Global, Module } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem-blob-store';

/** The blob store; what a crash left in it is swept at start-up by the index (IngestRecovery), which knows what rows reference. */
@Global()
@Module({
  providers: [{ provide: BlobStore, inject: [PacsConfig], useFactory: (c: PacsConfig) => new FilesystemBlobStore(c.dataDir) }],
  exports: [BlobStore],
})
export class StorageModule {}
