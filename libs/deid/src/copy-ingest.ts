import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IngestOutcome, IngestService, IngestSource } from '@pacs/index';
import { BlobStore } from '@pacs/storage';

/** Stores bytes made here (a de-identified copy) through the one ingest path, as if received. */
@Injectable()
export class CopyIngest {
  constructor(
    private readonly blobs: BlobStore,
    private readonly ingest: IngestService,
  ) {}

  async store(bytes: Buffer, source: IngestSource): Promise<IngestOutcome> {
    const writer = this.blobs.createTemp();
    try {
      await pipeline(Readable.from([bytes]), writer, { end: false });
    } catch (err) {
      await writer.discard();
      throw err;
    }
    // IngestService consumes the temp blob, stored or refused.
    return this.ingest.ingest(await writer.finish(), source);
  }
}
