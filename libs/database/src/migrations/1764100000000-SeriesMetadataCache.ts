import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * series_metadata: the WADO-RS series metadata (PS3.18 10.4.1.1.2) of one series as served,
 * gzipped DICOM JSON with an ETag, per DICOMweb base URL (BulkDataURIs are absolute). Only the
 * gzip is kept: reading it is a few kB per hundred instances, where the plain JSON (megabytes,
 * TOAST-compressed and hex-encoded on the wire) took ~100 ms to fetch for 1,000 instances.
 *
 * Invalidation: any INSERT, UPDATE or DELETE on instances removes the rows of the series it
 * touches. The trigger first takes a row lock on the series, and a cache build holds FOR SHARE
 * on that series row while it reads the instances and writes its row, so a build can never
 * write a body that misses a concurrent change (the writer waits for the build, then deletes
 * the fresh row). Every node shares the table: no node serves a stale body after a change.
 */
export class SeriesMetadataCache1764100000000 implements MigrationInterface {
  name = 'SeriesMetadataCache1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE series_metadata (
        series_pk bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        base_url text NOT NULL,
        etag text NOT NULL,
        body_gzip bytea NOT NULL,
        body_size integer NOT NULL,
        instance_count integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (series_pk, base_url)
      )`);
    // Already compressed: no pglz pass on write or read.
    await q.query(`ALTER TABLE series_metadata ALTER COLUMN body_gzip SET STORAGE EXTERNAL`);
    await q.query(`
CREATE FUNCTION pacs_series_metadata_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM 1 FROM series WHERE id = OLD.series_pk FOR NO KEY UPDATE;
    DELETE FROM series_metadata WHERE series_pk = OLD.series_pk;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM 1 FROM series WHERE id = NEW.series_pk FOR NO KEY UPDATE;
    DELETE FROM series_metadata WHERE series_pk = NEW.series_pk;
  END IF;
  RETURN NULL;
END;
$$`);
    await q.query(`
      CREATE TRIGGER instances_series_metadata_invalidate
      AFTER INSERT OR UPDATE OR DELETE ON instances
      FOR EACH ROW EXECUTE FUNCTION pacs_series_metadata_invalidate()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS instances_series_metadata_invalidate ON instances');
    await q.query('DROP FUNCTION IF EXISTS pacs_series_metadata_invalidate()');
    await q.query('DROP TABLE IF EXISTS series_metadata');
  }
}
