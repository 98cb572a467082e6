import { Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem-blob-store';

@Global()
@Module({
  providers: [{ provide: BlobStore, inject: [PacsConfig], useFactory: (c: PacsConfig) => new FilesystemBlobStore(c.dataDir) }],
  exports: [BlobStore],
})
export class StorageModule implements OnApplicationBootstrap {
  constructor(private readonly blobs: BlobStore) {}

  async onApplicationBootstrap(): Promise<void> {
    const removed = await this.blobs.sweepTemp();
    if (removed > 0) new Logger('Storage').warn({ removed }, 'removed temporary files left by an earlier crash');
  }
}
