import { Injectable, Logger } from '@nestjs/common';
import { BlobRemovals } from './blob-removals';
import { DeletionRepository, DeletionResult } from './deletion.repository';
import { NotFoundError } from './index.errors';
import { InstanceScope } from './instances.repository';

export type DeletionScope = InstanceScope;
export type { DeletionResult } from './deletion.repository';

/**
 * Deletes a study, a series or one instance. The rows and the records of their blobs go in one
 * transaction (DeletionRepository); the files go after the commit, and a crash in between
 * leaves records that the next start completes: never a row without its file, and no file of
 * a deleted instance left on disk.
 */
@Injectable()
export class DeletionService {
  private readonly log = new Logger('Deletion');

  constructor(
    private readonly rows: DeletionRepository,
    private readonly removals: BlobRemovals,
  ) {}

  /** Throws NotFoundError when nothing matches the scope. */
  async delete(scope: DeletionScope): Promise<DeletionResult> {
    const deleted = await this.rows.deleteScope(scope);
    if (!deleted) throw new NotFoundError(notFoundMessage(scope));
    const failed = await this.removals.removeCommitted(deleted.blobKeys);
    this.log.log({ msg: 'deleted', ...scope, ...deleted.result, blobsNotRemoved: failed });
    return deleted.result;
  }
}

function notFoundMessage(scope: DeletionScope): string {
  if (scope.sopInstanceUid) return `instance ${scope.sopInstanceUid} not found`;
  if (scope.seriesUid) return `series ${scope.seriesUid} not found`;
  return `study ${scope.studyUid} not found`;
}
