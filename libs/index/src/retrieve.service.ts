import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { BlobStore } from '@pacs/storage';
import { NotFoundError, QueryError } from './index.errors';
import { InstanceScope, InstancesRepository, RetrieveScope } from './instances.repository';
import { MediaInstance, StoredInstance } from './query.types';

/** Finds stored instances and streams their bytes: shared by WADO-RS, C-GET and C-MOVE. */
@Injectable()
export class RetrieveService {
  constructor(
    private readonly instances: InstancesRepository,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Instances of a study, a series or one instance, ordered by series number, series,
   * instance number. Throws NotFoundError when nothing matches.
   */
  async findInstances(scope: InstanceScope): Promise<StoredInstance[]> {
    const found = await this.instances.inScope(scope);
    if (found.length === 0) throw new NotFoundError(notFoundMessage(scope));
    return found;
  }

  /**
   * Instances of these studies (or one series) with their media directory values, by patient,
   * study, series and instance. Throws NotFoundError naming the first study that has none.
   */
  async findMediaInstances(studyUids: string[], seriesUid?: string): Promise<MediaInstance[]> {
    const found = await this.instances.forMedia(studyUids, seriesUid);
    const missing = studyUids.find((uid) => !found.some((i) => i.studyUid === uid));
    if (missing) throw new NotFoundError(notFoundMessage({ studyUid: missing, seriesUid }));
    return found;
  }

  /**
   * Every instance a retrieve identifier selects, in study, series and instance order; empty when
   * none. Only locations are held, never bytes. Throws QueryError when the scope names nothing.
   */
  async findForRetrieve(scope: RetrieveScope): Promise<StoredInstance[]> {
    const named = scope.patientId !== undefined || !!scope.studyUids?.length || !!scope.seriesUids?.length || !!scope.sopInstanceUids?.length;
    if (!named) throw new QueryError('the identifier names no patient, study, series or instance');
    return this.instances.forRetrieve(scope);
  }

  /** Instances of these studies flagged Burned In Annotation YES (their pixels may show identifying text). */
  withBurnedInAnnotation(studyUids: string[]): Promise<string[]> {
    return this.instances.withBurnedInAnnotation(studyUids);
  }

  /** The stored Part 10 bytes, exactly as received. */
  open(instance: StoredInstance): Readable {
    return this.blobs.read(instance.blobKey);
  }

  /**
   * The stored Part 10 bytes read into `target` (a C-STORE sub-operation of C-GET or C-MOVE),
   * which should have a byte to spare (that saves a read); fails unless the blob has the size the
   * index recorded.
   */
  async load(instance: StoredInstance, target: Buffer): Promise<Buffer> {
    const length = await this.blobs.readInto(instance.blobKey, target, instance.sizeBytes);
    if (length !== instance.sizeBytes) throw new Error(`blob of ${instance.sopInstanceUid} has ${length} bytes, the index says ${instance.sizeBytes}`);
    return target.subarray(0, length);
  }
}

function notFoundMessage(scope: InstanceScope): string {
  if (scope.sopInstanceUid) return `instance ${scope.sopInstanceUid} not found`;
  if (scope.seriesUid) return `series ${scope.seriesUid} not found`;
  return `study ${scope.studyUid} not found`;
}
