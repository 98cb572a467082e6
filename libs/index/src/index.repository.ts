import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { InstanceFacts } from './instance-facts';

export interface BlobRecord {
  key: string;
  size: number;
  sha256: string;
}

export interface ExistingInstance {
  id: string;
  blobKey: string;
}

/**
 * All index writes. The counters (series/study instance counts, study series count,
 * ModalitiesInStudy) are kept in the same transaction as the instance row, with rows locked
 * in one order (patient → study → series → instance) so concurrent stores cannot deadlock.
 */
@Injectable()
export class IndexRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findInstance(sopInstanceUid: string): Promise<ExistingInstance | undefined> {
    const rows = await this.dataSource.query('SELECT id, blob_key FROM instances WHERE sop_instance_uid = $1', [sopInstanceUid]);
    return rows[0] ? { id: String(rows[0].id), blobKey: rows[0].blob_key } : undefined;
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Upserts patient, study, series and instance; returns whether the instance row is new. */
  async upsertInstance(em: EntityManager, f: InstanceFacts, blob: BlobRecord, sourceAe: string | null): Promise<boolean> {
    const [patient] = await em.query(
      `INSERT INTO patients (patient_id, issuer, patient_name, birth_date, sex) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (patient_id, issuer) DO UPDATE SET patient_name = EXCLUDED.patient_name,
         birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex, updated_at = now()
       RETURNING id`,
      [f.patient.id, f.patient.issuer, f.patient.name, f.patient.birthDate, f.patient.sex],
    );
    const [study] = await em.query(
      `INSERT INTO studies (study_uid, patient_pk, study_date, study_time, accession_number, study_id,
         study_description, referring_physician, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (study_uid) DO UPDATE SET patient_pk = EXCLUDED.patient_pk, study_date = EXCLUDED.study_date,
         study_time = EXCLUDED.study_time, accession_number = EXCLUDED.accession_number, study_id = EXCLUDED.study_id,
         study_description = EXCLUDED.study_description, referring_physician = EXCLUDED.referring_physician,
         attributes = studies.attributes || EXCLUDED.attributes, updated_at = now()
       RETURNING id`,
      [f.studyUid, patient.id, f.study.date, f.study.time, f.study.accessionNumber, f.study.studyId,
        f.study.description, f.study.referringPhysician, f.study.attributes],
    );
    const [series] = await em.query(
      `INSERT INTO series (series_uid, study_pk, modality, series_number, series_description, body_part, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (series_uid) DO UPDATE SET study_pk = EXCLUDED.study_pk, modality = EXCLUDED.modality,
         series_number = EXCLUDED.series_number, series_description = EXCLUDED.series_description,
         body_part = EXCLUDED.body_part, attributes = series.attributes || EXCLUDED.attributes, updated_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [f.seriesUid, study.id, f.series.modality, f.series.number, f.series.description, f.series.bodyPart, f.series.attributes],
    );
    const [previous] = await em.query('SELECT series_pk FROM instances WHERE sop_instance_uid = $1 FOR UPDATE', [f.sopInstanceUid]);
    await em.query(
      `INSERT INTO instances (sop_instance_uid, series_pk, sop_class_uid, instance_number, transfer_syntax_uid,
         blob_key, size_bytes, sha256, source_ae, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (sop_instance_uid) DO UPDATE SET series_pk = EXCLUDED.series_pk, sop_class_uid = EXCLUDED.sop_class_uid,
         instance_number = EXCLUDED.instance_number, transfer_syntax_uid = EXCLUDED.transfer_syntax_uid,
         blob_key = EXCLUDED.blob_key, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,
         source_ae = EXCLUDED.source_ae, attributes = EXCLUDED.attributes, updated_at = now()`,
      [f.sopInstanceUid, series.id, f.sopClassUid, f.instanceNumber, f.transferSyntaxUid, blob.key, blob.size, blob.sha256,
        sourceAe, f.attributes],
    );
    if (!previous) {
      await em.query('UPDATE series SET num_instances = num_instances + 1 WHERE id = $1', [series.id]);
      await em.query(
        `UPDATE studies SET num_instances = num_instances + 1, num_series = num_series + $2::int,
           modalities = CASE WHEN $3::text IS NULL OR $3::text = ANY(modalities) THEN modalities ELSE modalities || $3::text END
         WHERE id = $1`,
        [study.id, series.inserted ? 1 : 0, f.series.modality],
      );
    } else {
      // A resent instance can move to another series or change modality: recount what it touches.
      await this.recount(em, [String(previous.series_pk), String(series.id)]);
    }
    return !previous;
  }

  private async recount(em: EntityManager, seriesIds: string[]): Promise<void> {
    await em.query(
      `UPDATE series s SET num_instances = (SELECT count(*) FROM instances i WHERE i.series_pk = s.id) WHERE s.id = ANY($1::bigint[])`,
      [seriesIds],
    );
    await em.query(
      `UPDATE studies st SET
         num_series = (SELECT count(*) FROM series s WHERE s.study_pk = st.id AND s.num_instances > 0),
         num_instances = (SELECT coalesce(sum(s.num_instances), 0) FROM series s WHERE s.study_pk = st.id),
         modalities = (SELECT coalesce(array_agg(DISTINCT s.modality) FILTER (WHERE s.modality IS NOT NULL AND s.num_instances > 0), '{}')
                       FROM series s WHERE s.study_pk = st.id)
       WHERE st.id IN (SELECT study_pk FROM series WHERE id = ANY($1::bigint[]))`,
      [seriesIds],
    );
  }
}
