import { Global, Module } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem-blob-store';

@Global()
@Module({
  providers: [{ provide: BlobStore, inject: [PacsConfig], useFactory: (c: PacsConfig) => new FilesystemBlobStore(c.dataDir) }],
  exports: [BlobStore],
})
export class StorageModule {}
