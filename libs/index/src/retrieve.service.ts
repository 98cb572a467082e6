import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { BlobStore } from '@pacs/storage';
import { NotFoundError, QueryError } from './index.errors';
import { StoredInstance } from './query.types';

/**
 * What a C-MOVE or C-GET asks for (PS3.4 C.4.2.1.4.1, C.4.3.1.3.1): the unique keys of the
 * retrieve level and above; each list matches any of its UIDs.
 */
export interface RetrieveScope {
  patientId?: string;
  studyUids?: string[];
  seriesUids?: string[];
  sopInstanceUids?: string[];
}

/** Finds stored instances and streams their bytes: shared by WADO-RS, C-GET and C-MOVE. */
@Injectable()
export class RetrieveService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Instances of a study, a series or one instance, ordered by series number, series,
   * instance number. Throws NotFoundError when nothing matches.
   */
  async findInstances(scope: { studyUid: string; seriesUid?: string; sopInstanceUid?: string }): Promise<StoredInstance[]> {
    const params: string[] = [scope.studyUid];
    let where = 'st.study_uid = $1';
    if (scope.seriesUid) where += ` AND se.series_uid = $${params.push(scope.seriesUid)}`;
    if (scope.sopInstanceUid) where += ` AND i.sop_instance_uid = $${params.push(scope.sopInstanceUid)}`;
    const rows = await this.dataSource.query(
      `SELECT st.study_uid, se.series_uid, i.sop_instance_uid, i.sop_class_uid, i.transfer_syntax_uid, i.blob_key, i.size_bytes
       FROM instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk
       WHERE ${where}
       ORDER BY se.series_number ASC NULLS LAST, se.id, i.instance_number ASC NULLS LAST, i.id`,
      params,
    );
    if (rows.length === 0) throw new NotFoundError(notFoundMessage(scope));
    return rows.map(toStoredInstance);
  }

  /**
   * Every instance a retrieve identifier selects, in study, series and instance order; empty when
   * none. Only locations are held, never bytes. Throws QueryError when the scope names nothing.
   */
  async findForRetrieve(scope: RetrieveScope): Promise<StoredInstance[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const any = (column: string, uids: string[] | undefined) => {
      if (uids?.length) where.push(`${column} = ANY($${params.push(uids)}::text[])`);
    };
    if (scope.patientId !== undefined) where.push(`p.patient_id = $${params.push(scope.patientId)}`);
    any('st.study_uid', scope.studyUids);
    any('se.series_uid', scope.seriesUids);
    any('i.sop_instance_uid', scope.sopInstanceUids);
    if (where.length === 0) throw new QueryError('the identifier names no patient, study, series or instance');
    const rows: Record<string, string>[] = await this.dataSource.query(
      `SELECT st.study_uid, se.series_uid, i.sop_instance_uid, i.sop_class_uid, i.transfer_syntax_uid, i.blob_key, i.size_bytes
       FROM instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk
       JOIN patients p ON p.id = st.patient_pk
       WHERE ${where.join(' AND ')}
       ORDER BY st.id, se.series_number ASC NULLS LAST, se.id, i.instance_number ASC NULLS LAST, i.id`,
      params,
    );
    return rows.map(toStoredInstance);
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

function toStoredInstance(r: Record<string, string>): StoredInstance {
  return {
    studyUid: r.study_uid,
    seriesUid: r.series_uid,
    sopInstanceUid: r.sop_instance_uid,
    sopClassUid: r.sop_class_uid,
    transferSyntaxUid: r.transfer_syntax_uid,
    blobKey: r.blob_key,
    sizeBytes: Number(r.size_bytes),
  };
}

function notFoundMessage(scope: { studyUid: string; seriesUid?: string; sopInstanceUid?: string }): string {
  if (scope.sopInstanceUid) return `instance ${scope.sopInstanceUid} not found`;
  if (scope.seriesUid) return `series ${scope.seriesUid} not found`;
  return `study ${scope.studyUid} not found`;
}
