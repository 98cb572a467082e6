import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { StoredInstance } from './query.types';

/** Finds stored instances and streams their bytes: shared by WADO-RS, C-GET and C-MOVE. */
@Injectable()
export class RetrieveService {
  /**
   * Instances of a study, a series or one instance, ordered by series number, series UID,
   * instance number. Throws NotFoundError when nothing matches.
   */
  async findInstances(scope: { studyUid: string; seriesUid?: string; sopInstanceUid?: string }): Promise<StoredInstance[]> {
    throw new Error('not implemented');
  }

  /** The stored Part 10 bytes, exactly as received. */
  open(instance: StoredInstance): Readable {
    throw new Error('not implemented');
  }
}
