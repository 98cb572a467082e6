import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InstanceFacts } from './instance-facts';
import { queryPrepared } from './prepared-statements';

export interface BlobRecord {
  key: string;
  size: number;
  sha256: string;
}

/** A SQL function call (one jsonb argument) to commit with the index row. */
export interface CompanionCall {
  sqlFunction: string;
  payload: object;
}

export interface ExistingInstance {
  blobKey: string;
}

/** All index writes of the ingest path. */
@Injectable()
export class IndexRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findInstance(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    const rows = await queryPrepared(this.dataSource, 'SELECT blob_key FROM instances WHERE sop_instance_uid = $1', [sopInstanceUid]);
    return rows[0] ? { blobKey: rows[0].blob_key as string } : undefined;
  }

  /**
   * Records patient, study, series and instance with their counters in one statement (and so
   * one commit): see the pacs_index_instance migration. Returns whether the instance is new.
   */
  async indexInstance(f: InstanceFacts, blob: BlobRecord, sourceAe: string | null, companion?: CompanionCall): Promise<boolean> {
    const row = {
      patientId: f.patient.id,
      issuer: f.patient.issuer,
      patientName: f.patient.name,
      birthDate: f.patient.birthDate,
      sex: f.patient.sex,
      studyUid: f.studyUid,
      studyDate: f.study.date,
      studyTime: f.study.time,
      accessionNumber: f.study.accessionNumber,
      studyId: f.study.studyId,
      studyDescription: f.study.description,
      referringPhysician: f.study.referringPhysician,
      studyAttributes: f.study.attributes,
      seriesUid: f.seriesUid,
      modality: f.series.modality,
      seriesNumber: f.series.number,
      seriesDescription: f.series.description,
      bodyPart: f.series.bodyPart,
      seriesAttributes: f.series.attributes,
      sopInstanceUid: f.sopInstanceUid,
      sopClassUid: f.sopClassUid,
      instanceNumber: f.instanceNumber,
      transferSyntaxUid: f.transferSyntaxUid,
      blobKey: blob.key,
      sizeBytes: blob.size,
      sha256: blob.sha256,
      sourceAe,
      attributes: f.attributes,
    };
    if (!companion) {
      const [result] = await queryPrepared(this.dataSource, 'SELECT pacs_index_instance($1::jsonb) AS inserted', [JSON.stringify(row)]);
      return result.inserted === true;
    }
    // One statement, so one transaction and one commit for both (IngestCommitCompanion).
    if (!/^[a-z_][a-z0-9_]*$/.test(companion.sqlFunction)) throw new Error(`invalid companion function ${companion.sqlFunction}`);
    const [result] = await queryPrepared(
      this.dataSource,
      `SELECT pacs_index_instance($1::jsonb) AS inserted, ${companion.sqlFunction}($2::jsonb) AS companion`,
      [JSON.stringify(row), JSON.stringify(companion.payload)],
    );
    return result.inserted === true;
  }
}
