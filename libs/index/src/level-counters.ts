import { EntityManager } from 'typeorm';

/**
 * After instances left these series of one study (deletion, rejection): series left empty go,
 * the others are recounted, then the study is recounted or, left empty, goes with a patient left
 * without studies. The same counters as the pacs_index_instance function keeps.
 */
export async function pruneAndRecount(
  m: EntityManager,
  seriesPks: string[],
  studyPk: string,
  patientPk: string,
): Promise<{ seriesRemoved: number; studiesRemoved: number }> {
  const [, seriesRemoved] = await m.query(
    `DELETE FROM series s WHERE s.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.series_pk = s.id)`,
    [seriesPks],
  );
  await recountSeries(m, seriesPks);
  const [, studiesRemoved] = await m.query(
    'DELETE FROM studies st WHERE st.id = $1 AND NOT EXISTS (SELECT 1 FROM series s WHERE s.study_pk = st.id)',
    [studyPk],
  );
  if (Number(studiesRemoved ?? 0) > 0) {
    await m.query('DELETE FROM patients p WHERE p.id = $1 AND NOT EXISTS (SELECT 1 FROM studies st WHERE st.patient_pk = p.id)', [patientPk]);
    return { seriesRemoved: Number(seriesRemoved ?? 0), studiesRemoved: 1 };
  }
  await recountStudy(m, studyPk);
  return { seriesRemoved: Number(seriesRemoved ?? 0), studiesRemoved: 0 };
}

export async function recountSeries(m: EntityManager, seriesPks: string[]): Promise<void> {
  await m.query(
    `UPDATE series s SET num_instances = (SELECT count(*) FROM instances i WHERE i.series_pk = s.id), updated_at = now()
     WHERE s.id = ANY($1::bigint[])`,
    [seriesPks],
  );
}

/** NumberOfStudyRelatedSeries / Instances and ModalitiesInStudy from the study's series. */
const STUDY_COUNTERS = `UPDATE studies st SET
       num_series = (SELECT count(*) FROM series s WHERE s.study_pk = st.id AND s.num_instances > 0),
       num_instances = (SELECT coalesce(sum(s.num_instances), 0) FROM series s WHERE s.study_pk = st.id),
       modalities = (SELECT coalesce(array_agg(DISTINCT s.modality) FILTER (WHERE s.modality IS NOT NULL AND s.num_instances > 0), '{}')
                     FROM series s WHERE s.study_pk = st.id),
       updated_at = now()`;

export async function recountStudy(m: EntityManager, studyPk: string): Promise<void> {
  await m.query(`${STUDY_COUNTERS} WHERE st.id = $1`, [studyPk]);
}

/** The same for studies named by their UIDs (after instances moved out of or into them). */
export async function recountStudiesByUid(m: EntityManager, studyUids: string[]): Promise<void> {
  await m.query(`${STUDY_COUNTERS} WHERE st.study_uid = ANY($1::text[])`, [studyUids]);
}
