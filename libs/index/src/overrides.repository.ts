import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DicomJson, Tag } from '@pacs/dicom';
import { DataSource, EntityManager } from 'typeorm';
import { AttributeOverrides, OVERRIDABLE } from './attribute-overrides';
import { recountStudiesByUid } from './level-counters';
import { runPrepared, StatementClient } from './prepared-statements';

/** What the index holds about a study's patient and study attributes (for corrections and their audit). */
export interface StudyRecord {
  studyUid: string;
  patient: { id: string; issuer: string; name: string | null; birthDate: string | null; sex: string | null };
  study: { accessionNumber: string | null; description: string | null; referringPhysician: string | null; date: string | null; time: string | null; studyId: string | null };
}

/** An instance a correction looks at: its blob, and its current values of the overridable attributes. */
export interface InstanceToCorrect {
  id: string;
  sopInstanceUid: string;
  blobKey: string;
  values: DicomJson;
}

/** Overrides apply to a study, or to one series (moved to another study). */
export type OverrideScope = { studyUid: string; seriesUid?: string };

const STUDY_RECORD = `SELECT st.study_uid, p.patient_id, p.issuer, p.patient_name, p.birth_date, p.sex, st.accession_number,
  st.study_description, st.referring_physician, st.study_date, st.study_time, st.study_id
  FROM studies st JOIN patients p ON p.id = st.patient_pk`;

/**
 * The table `attribute_overrides` and the reads and writes of corrections, merges and series
 * moves. Lock order: study rows (by id) only, so never against the ingest's instance → study →
 * series order.
 */
@Injectable()
export class OverridesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records overrides while holding the row locks of the studies they concern: an ingest that
   * wrote a row of one of them committed before, and is found by the correction's scan; one
   * that writes after reads the overrides in its own transaction and coerces (libs/index
   * README, "Corrections"). Study overrides also update the series overrides that moved a
   * series into that study. False when a study is not in the index.
   */
  async record(lockStudyUids: string[], scopeUid: string, overrides: AttributeOverrides): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const locked: unknown[] = await m.query('SELECT id FROM studies WHERE study_uid = ANY($1::text[]) ORDER BY id FOR UPDATE', [lockStudyUids]);
      if (locked.length !== new Set(lockStudyUids).size) return false;
      await m.query(
        `INSERT INTO attribute_overrides (scope_uid, attributes) VALUES ($1, $2::jsonb)
         ON CONFLICT (scope_uid) DO UPDATE SET attributes = attribute_overrides.attributes || EXCLUDED.attributes, updated_at = now()`,
        [scopeUid, JSON.stringify(overrides)],
      );
      const { [Tag.StudyInstanceUID]: _uid, ...studyLevel } = overrides;
      await m.query(
        `UPDATE attribute_overrides SET attributes = attributes || $2::jsonb, updated_at = now()
         WHERE attributes->>'${Tag.StudyInstanceUID}' = $1 AND scope_uid <> $1`,
        [scopeUid, JSON.stringify(studyLevel)],
      );
      return true;
    });
  }

  async study(studyUid: string): Promise<StudyRecord | undefined> {
    const [row] = await this.dataSource.query(`${STUDY_RECORD} WHERE st.study_uid = $1`, [studyUid]);
    return row ? studyRecord(row) : undefined;
  }

  /** The studies of a patient, undefined when there is no such patient. */
  async patientStudies(patientId: string, issuer: string): Promise<StudyRecord[] | undefined> {
    const patients: unknown[] = await this.dataSource.query('SELECT id FROM patients WHERE patient_id = $1 AND issuer = $2', [patientId, issuer]);
    if (patients.length === 0) return undefined;
    const rows = await this.dataSource.query(`${STUDY_RECORD} WHERE p.patient_id = $1 AND p.issuer = $2 ORDER BY st.id`, [patientId, issuer]);
    return rows.map(studyRecord);
  }

  /** The study a series belongs to, undefined when there is no such series. */
  async seriesStudy(seriesUid: string): Promise<string | undefined> {
    const [row] = await this.dataSource.query('SELECT st.study_uid FROM series se JOIN studies st ON st.id = se.study_pk WHERE se.series_uid = $1', [seriesUid]);
    return row?.study_uid;
  }

  /** A page of the instances of a study or series after id `after`, with their overridable values. */
  async instances(scope: OverrideScope, after: string, limit: number): Promise<InstanceToCorrect[]> {
    const [where, uid] = scope.seriesUid ? ['se.series_uid = $1', scope.seriesUid] : ['st.study_uid = $1', scope.studyUid];
    const rows: { id: string; sop_instance_uid: string; blob_key: string; vals: DicomJson | null }[] = await this.dataSource.query(
      `SELECT i.id, i.sop_instance_uid, i.blob_key,
         (SELECT jsonb_object_agg(k, i.attributes->k) FROM unnest($4::text[]) k WHERE i.attributes ? k) AS vals
       FROM instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk
       WHERE ${where} AND i.id > $2 ORDER BY i.id LIMIT $3`,
      [uid, after, limit, Object.keys(OVERRIDABLE)],
    );
    return rows.map((r) => ({ id: r.id, sopInstanceUid: r.sop_instance_uid, blobKey: r.blob_key, values: r.vals ?? {} }));
  }

  /**
   * After instances moved out of these studies (series move, patient change): counters are
   * recomputed as pacs_index_instance keeps them, a study left without series goes, and so does
   * a patient left without studies. Returns the studies removed.
   */
  async tidy(studyUids: string[], patients: { id: string; issuer: string }[]): Promise<string[]> {
    const removed = await this.dataSource.transaction(async (m) => {
      const gone = await this.removeEmptyStudies(m, studyUids);
      await recountStudiesByUid(m, studyUids);
      return gone;
    });
    // Apart from the study locks: an ingest locks its patient row before its study row.
    for (const p of patients) {
      await this.dataSource.query(
        'DELETE FROM patients p WHERE p.patient_id = $1 AND p.issuer = $2 AND NOT EXISTS (SELECT 1 FROM studies st WHERE st.patient_pk = p.id)',
        [p.id, p.issuer],
      );
    }
    return removed;
  }

  private async removeEmptyStudies(m: EntityManager, studyUids: string[]): Promise<string[]> {
    await m.query('SELECT id FROM studies WHERE study_uid = ANY($1::text[]) ORDER BY id FOR UPDATE', [studyUids]);
    await m.query(
      `DELETE FROM series se USING studies st WHERE se.study_pk = st.id AND st.study_uid = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.series_pk = se.id)`,
      [studyUids],
    );
    // TypeORM answers a DELETE with [rows, count].
    const [gone]: [{ study_uid: string }[], number] = await m.query(
      `DELETE FROM studies st WHERE st.study_uid = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM series s WHERE s.study_pk = st.id)
       RETURNING st.study_uid`,
      [studyUids],
    );
    return gone.map((g) => g.study_uid);
  }
}

/**
 * The overrides of these studies and series, merged per study then series (a moved series'
 * values win), read by the ingest in its index transaction after its rows locked their studies.
 */
export async function overridesIn(client: StatementClient, uids: string[]): Promise<Map<string, AttributeOverrides>> {
  const rows = await runPrepared(client, 'SELECT scope_uid, attributes FROM attribute_overrides WHERE scope_uid = ANY($1::text[])', [uids]);
  return new Map(rows.map((r) => [r.scope_uid as string, r.attributes as AttributeOverrides]));
}

function studyRecord(r: Record<string, string | null>): StudyRecord {
  return {
    studyUid: r.study_uid as string,
    patient: { id: r.patient_id ?? '', issuer: r.issuer ?? '', name: r.patient_name, birthDate: r.birth_date, sex: r.sex },
    study: {
      accessionNumber: r.accession_number,
      description: r.study_description,
      referringPhysician: r.referring_physician,
      date: r.study_date,
      time: r.study_time,
      studyId: r.study_id,
    },
  };
}
