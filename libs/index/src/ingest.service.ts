import { Injectable } from '@nestjs/common';
import { TempBlob } from '@pacs/storage';
import { IngestOutcome, IngestSource } from './ingest.types';

/**
 * The one ingest path shared by C-STORE, STOW-RS and `pacs import` (ARCHITECTURE.md):
 * validate the header → apply the duplicate policy → commit the blob → one transaction
 * for patient/study/series/instance. Resolves only when the blob is fsynced and the index
 * committed; on failure nothing remains (the temp blob is always consumed).
 */
@Injectable()
export class IngestService {
  async ingest(temp: TempBlob, source: IngestSource): Promise<IngestOutcome> {
    throw new Error('not implemented');
  }
}
