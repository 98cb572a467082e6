import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { pruneAndRecount, recountSeries, recountStudy } from './level-counters';
import { RejectedReference } from './rejection-note';

/** One instance hidden by a Rejection Note, as `GET /api/rejections` lists it. */
export interface RejectedInstance {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** CID 7011 code value (scheme DCM) of the note's title, and its meaning. */
  reasonCode: string;
  reasonMeaning: string;
  rejectionNoteUid: string;
  /** Calling AE title or user name of whoever sent the Rejection Note. */
  rejectedBy: string | null;
  rejectedAt: string;
  /** Patient ID (0010,0020), for the audit trail (never logged). */
  patientId: string | null;
}

export interface Rejection {
  reasonCode: string;
  reasonMeaning: string;
  rejectionNoteUid: string;
  rejectedBy: string | null;
  references: RejectedReference[];
}

export interface RejectionPage {
  studyUid?: string;
  limit: number;
  offset: number;
}

const COLUMNS = `study_uid, series_uid, sop_instance_uid, sop_class_uid, reason_code, reason_meaning, rejection_note_uid,
  rejected_by, rejected_at, patient_id`;

/**
 * The table `rejected_instances` (RejectedInstances1765420000000): rejection moves instance
 * rows there in one transaction, restore moves them back, expiry hands their blobs to
 * `blob_removals`. Lock order instance → study → series, as every ingest and deletion.
 */
@Injectable()
export class RejectionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Moves the referenced instances that are stored (UIDs of study, series and instance all matching); returns them. */
  async reject(rejection: Rejection): Promise<RejectedInstance[]> {
    return this.dataSource.transaction(async (m) => {
      const refs = rejection.references;
      const rows: { id: string; series_pk: string; study_pk: string; patient_pk: string }[] = await m.query(
        `SELECT i.id, i.series_pk, se.study_pk, st.patient_pk
         FROM unnest($1::text[], $2::text[], $3::text[]) AS r(study_uid, series_uid, sop_instance_uid)
         JOIN instances i ON i.sop_instance_uid = r.sop_instance_uid
         JOIN series se ON se.id = i.series_pk AND se.series_uid = r.series_uid
         JOIN studies st ON st.id = se.study_pk AND st.study_uid = r.study_uid
         ORDER BY i.id FOR UPDATE OF i`,
        [refs.map((r) => r.studyUid), refs.map((r) => r.seriesUid), refs.map((r) => r.sopInstanceUid)],
      );
      if (rows.length === 0) return [];
      const studies = new Map<string, { patientPk: string; seriesPks: Set<string> }>();
      for (const r of rows) {
        const study = studies.get(r.study_pk) ?? { patientPk: r.patient_pk, seriesPks: new Set<string>() };
        study.seriesPks.add(r.series_pk);
        studies.set(r.study_pk, study);
      }
      const studyPks = [...studies.keys()].sort((a, b) => Number(a) - Number(b));
      await m.query('SELECT id FROM studies WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [studyPks]);
      await m.query('SELECT id FROM series WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [[...new Set(rows.map((r) => r.series_pk))]]);
      const moved = await this.moveOut(m, rows.map((r) => r.id), rejection);
      for (const studyPk of studyPks) {
        const study = studies.get(studyPk)!;
        await pruneAndRecount(m, [...study.seriesPks], studyPk, study.patientPk);
      }
      return moved;
    });
  }

  private async moveOut(m: EntityManager, ids: string[], rejection: Rejection): Promise<RejectedInstance[]> {
    const rows = await m.query(
      `WITH moved AS (
         INSERT INTO rejected_instances (sop_instance_uid, study_uid, series_uid, sop_class_uid, blob_key, patient_id, reason_code,
           reason_meaning, rejection_note_uid, rejected_by, instance_row, series_row, study_row, patient_row)
         SELECT i.sop_instance_uid, st.study_uid, se.series_uid, i.sop_class_uid, i.blob_key, p.patient_id, $2, $3, $4, $5,
           to_jsonb(i), to_jsonb(se), to_jsonb(st), to_jsonb(p)
         FROM instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk JOIN patients p ON p.id = st.patient_pk
         WHERE i.id = ANY($1::bigint[])
         RETURNING ${COLUMNS}),
       gone AS (DELETE FROM instances WHERE id = ANY($1::bigint[]))
       SELECT * FROM moved`,
      [ids, rejection.reasonCode, rejection.reasonMeaning, rejection.rejectionNoteUid, rejection.rejectedBy],
    );
    return rows.map(toRejected);
  }

  async list(page: RejectionPage): Promise<RejectedInstance[]> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rejected_instances WHERE ($1::text IS NULL OR study_uid = $1)
       ORDER BY rejected_at DESC, sop_instance_uid LIMIT $2 OFFSET $3`,
      [page.studyUid ?? null, page.limit, page.offset],
    );
    return rows.map(toRejected);
  }

  /**
   * Puts a rejected instance back under its series, study and patient, re-creating those that
   * went when it left them empty; undefined when no such instance is rejected.
   */
  async restore(sopInstanceUid: string): Promise<RejectedInstance | undefined> {
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query('SELECT * FROM rejected_instances WHERE sop_instance_uid = $1 FOR UPDATE', [sopInstanceUid]);
      if (!row) return undefined;
      const studyPk = await this.studyOf(m, row);
      await m.query('SELECT id FROM studies WHERE id = $1 FOR UPDATE', [studyPk]);
      const seriesPk = await insertOrFind(m, 'series', 'series_uid', row.series_row, { study_pk: studyPk });
      await m.query('SELECT id FROM series WHERE id = $1 FOR UPDATE', [seriesPk]);
      await m.query('INSERT INTO instances SELECT * FROM jsonb_populate_record(NULL::instances, $1::jsonb)', [
        { ...row.instance_row, series_pk: seriesPk, updated_at: new Date().toISOString() },
      ]);
      await m.query('DELETE FROM rejected_instances WHERE sop_instance_uid = $1', [sopInstanceUid]);
      await recountSeries(m, [seriesPk]);
      await recountStudy(m, studyPk);
      return toRejected(row);
    });
  }

  /** The study row of a rejected row: the one stored under its UID, or its own row again (with its patient's). */
  private async studyOf(m: EntityManager, row: { study_uid: string; study_row: Record<string, unknown>; patient_row: Record<string, unknown> }): Promise<string> {
    const [study] = await m.query('SELECT id FROM studies WHERE study_uid = $1', [row.study_uid]);
    if (study) return study.id;
    const patientPk = await insertOrFind(m, 'patients', 'patient_id', row.patient_row, {}, 'issuer');
    return insertOrFind(m, 'studies', 'study_uid', row.study_row, { patient_pk: patientPk });
  }

  /**
   * Rejected longer than `retentionSeconds`: up to `limit` rows leave the table, and their blobs
   * are recorded in `blob_removals` in the same statement. Rows another node is expiring are
   * skipped (SKIP LOCKED), so each goes exactly once across the cluster.
   */
  async expire(retentionSeconds: number, limit: number): Promise<(RejectedInstance & { blobKey: string })[]> {
    const rows = await this.dataSource.query(
      `WITH due AS (
         SELECT sop_instance_uid FROM rejected_instances WHERE rejected_at < now() - make_interval(secs => $1)
         ORDER BY rejected_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM rejected_instances r USING due WHERE r.sop_instance_uid = due.sop_instance_uid RETURNING r.*),
       recorded AS (INSERT INTO blob_removals (blob_key, sop_instance_uid) SELECT blob_key, sop_instance_uid FROM gone ON CONFLICT DO NOTHING)
       SELECT blob_key, ${COLUMNS} FROM gone`,
      [retentionSeconds, limit],
    );
    return rows.map((r: Record<string, unknown>) => ({ ...toRejected(r), blobKey: r.blob_key as string }));
  }
}

/**
 * The id of the row of `table` whose `uid` column (and `also`, for patients the issuer) equals
 * that of `saved`; when there is none, `saved` is inserted again with `overrides`.
 */
async function insertOrFind(
  m: EntityManager,
  table: 'patients' | 'studies' | 'series',
  uid: string,
  saved: Record<string, unknown>,
  overrides: Record<string, unknown>,
  also?: string,
): Promise<string> {
  const where = also ? `${uid} = $1 AND ${also} = $2` : `${uid} = $1`;
  const keys = also ? [saved[uid], saved[also]] : [saved[uid]];
  const [found] = await m.query(`SELECT id FROM ${table} WHERE ${where}`, keys);
  if (found) return found.id;
  // Its id was never reused (bigserial), so the row comes back as it was.
  const [inserted] = await m.query(
    `INSERT INTO ${table} SELECT * FROM jsonb_populate_record(NULL::${table}, $1::jsonb) ON CONFLICT DO NOTHING RETURNING id`,
    [{ ...saved, ...overrides, updated_at: new Date().toISOString() }],
  );
  if (inserted) return inserted.id;
  const [raced] = await m.query(`SELECT id FROM ${table} WHERE ${where}`, keys);
  return raced.id;
}

function toRejected(r: Record<string, unknown>): RejectedInstance {
  return {
    studyUid: r.study_uid as string,
    seriesUid: r.series_uid as string,
    sopInstanceUid: r.sop_instance_uid as string,
    sopClassUid: r.sop_class_uid as string,
    reasonCode: r.reason_code as string,
    reasonMeaning: r.reason_meaning as string,
    rejectionNoteUid: r.rejection_note_uid as string,
    rejectedBy: (r.rejected_by as string | null) ?? null,
    rejectedAt: new Date(r.rejected_at as string).toISOString(),
    patientId: (r.patient_id as string | null) ?? null,
  };
}
