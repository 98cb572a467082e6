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
    const log = new Logger('Storage');
    if (this.blobs instanceof FilesystemBlobStore && !this.blobs.directWrites.enabled) {
      log.warn({ reason: this.blobs.directWrites.reason }, 'blobs are written through the page cache: this filesystem takes no direct writes');
    }
    const removed = await this.blobs.sweepTemp();
    if (removed > 0) log.warn({ removed }, 'removed temporary files left by an earlier crash');
  }
}
