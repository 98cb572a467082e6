import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { BlobStore } from '@pacs/storage';
import { NotFoundError } from './index.errors';
import { StoredInstance } from './query.types';

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
    return rows.map((r: Record<string, string>) => ({
      studyUid: r.study_uid,
      seriesUid: r.series_uid,
      sopInstanceUid: r.sop_instance_uid,
      sopClassUid: r.sop_class_uid,
      transferSyntaxUid: r.transfer_syntax_uid,
      blobKey: r.blob_key,
      sizeBytes: Number(r.size_bytes),
    }));
  }

  /** The stored Part 10 bytes, exactly as received. */
  open(instance: StoredInstance): Readable {
    return this.blobs.read(instance.blobKey);
  }
}

function notFoundMessage(scope: { studyUid: string; seriesUid?: string; sopInstanceUid?: string }): string {
  if (scope.sopInstanceUid) return `instance ${scope.sopInstanceUid} not found`;
  if (scope.seriesUid) return `series ${scope.seriesUid} not found`;
  return `study ${scope.studyUid} not found`;
}
