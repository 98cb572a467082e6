import { MigrationInterface, QueryRunner } from 'typeorm';

const LEGACY_DATE = `'^(\\d{4})\\.(\\d{2})\\.(\\d{2})$'`;
const LEGACY_TIME = `'^(\\d{2}):(\\d{2})(:(\\d{2})(\\.\\d{1,6})?)?$'`;

/**
 * The ingest now indexes DA and TM values received in their pre-3.0 forms (yyyy.mm.dd,
 * hh:mm:ss.frac, PS3.5 6.2) in their current forms (normalizeValue in @pacs/dicom), so that
 * StudyDate=19970424 or a date range matches them. Rows indexed before hold them as received: the
 * date and time columns that queries match and sort on are normalized here, a small update of the
 * few rows concerned. Their JSON headers are normalized when read (QueryService,
 * SeriesMetadataRepository), which spares rewriting every instance's header; the cached series
 * metadata rendered from them before is dropped, to be rebuilt on the next request.
 */
export class LegacyDateTimeColumns1765310000000 implements MigrationInterface {
  name = 'LegacyDateTimeColumns1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE patients SET birth_date = regexp_replace(birth_date, ${LEGACY_DATE}, '\\1\\2\\3') WHERE birth_date ~ ${LEGACY_DATE}`);
    await q.query(`UPDATE studies SET study_date = regexp_replace(study_date, ${LEGACY_DATE}, '\\1\\2\\3') WHERE study_date ~ ${LEGACY_DATE}`);
    await q.query(`UPDATE studies SET study_time = regexp_replace(study_time, ${LEGACY_TIME}, '\\1\\2\\4\\5') WHERE study_time ~ ${LEGACY_TIME}`);
    await q.query(`DELETE FROM series_metadata`);
  }

  async down(): Promise<void> {
    // The received forms are not kept in the index (they are in the stored files): nothing to undo.
  }
}
