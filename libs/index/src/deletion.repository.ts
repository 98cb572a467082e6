import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { InstanceScope } from './instances.repository';
import { pruneAndRecount } from './level-counters';

export interface DeletionResult {
  instances: number;
  /** Series and studies removed because nothing was left in them. */
  seriesRemoved: number;
  studiesRemoved: number;
}

/** What a deletion removed, and the blobs it recorded for removal (BlobRemovals). */
export interface DeletedRows {
  result: DeletionResult;
  blobKeys: string[];
}

/**
 * Deletes the rows of a study, a series or one instance in one transaction: instances, then
 * the counters of what they belonged to and what was left empty (pruneAndRecount).
 * The same transaction records their blobs in `blob_removals`.
 */
@Injectable()
export class DeletionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Undefined when nothing matches the scope. */
  async deleteScope(scope: InstanceScope): Promise<DeletedRows | undefined> {
    return this.dataSource.transaction((m) => this.deleteRows(m, scope));
  }

  private async deleteRows(m: EntityManager, scope: InstanceScope): Promise<DeletedRows | undefined> {
    const params: string[] = [scope.studyUid];
    let where = 'st.study_uid = $1';
    if (scope.seriesUid) where += ` AND se.series_uid = $${params.push(scope.seriesUid)}`;
    if (scope.sopInstanceUid) where += ` AND i.sop_instance_uid = $${params.push(scope.sopInstanceUid)}`;
    // Lock order instance → study → series, the same as every ingest (no deadlock with a store).
    const rows: { id: string; blob_key: string; series_pk: string; study_pk: string; patient_pk: string }[] = await m.query(
      `SELECT i.id, i.blob_key, i.series_pk, se.study_pk, st.patient_pk
       FROM instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk
       WHERE ${where} FOR UPDATE OF i`,
      params,
    );
    if (rows.length === 0) return undefined;
    const seriesPks = [...new Set(rows.map((r) => r.series_pk))];
    const studyPk = rows[0].study_pk;
    const patientPk = rows[0].patient_pk;
    await m.query('SELECT id FROM studies WHERE id = $1 FOR UPDATE', [studyPk]);
    await m.query('SELECT id FROM series WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [seriesPks]);
    await m.query(
      `WITH gone AS (DELETE FROM instances WHERE id = ANY($1::bigint[]) RETURNING blob_key, sop_instance_uid)
       INSERT INTO blob_removals (blob_key, sop_instance_uid) SELECT blob_key, sop_instance_uid FROM gone ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.id)],
    );
    const { seriesRemoved, studiesRemoved } = await pruneAndRecount(m, seriesPks, studyPk, patientPk);
    return { result: { instances: rows.length, seriesRemoved, studiesRemoved }, blobKeys: rows.map((r) => r.blob_key) };
  }
}
