import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DicomJson, normalizeDicomJson } from '@pacs/dicom';
import { NotFoundError } from './index.errors';

/** One instance's stored header (DICOM JSON without bulk data) and where it sits. */
export interface InstanceHeaderRow {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  attributes: DicomJson;
}

/** A series' metadata response as cached (see the SeriesMetadataCache migration): gzipped JSON. */
export interface CachedSeriesMetadata {
  etag: string;
  gzip: Buffer;
  /** Length of the JSON before compression. */
  size: number;
}

export interface MetadataScope {
  studyUid: string;
  seriesUid?: string;
  sopInstanceUid?: string;
}

const HEADER_COLUMNS = `st.study_uid, se.series_uid, i.sop_instance_uid, i.transfer_syntax_uid, i.attributes`;
const FROM = `instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk`;
/** PS3.18 10.4.1.1.2: metadata in series, then instance order (as WADO-RS retrieve sends them). */
const ORDER = `se.series_number ASC NULLS LAST, se.id, i.instance_number ASC NULLS LAST, i.id`;
/** Cached variants kept per series (one per base URL the series was asked through). */
const BASE_URLS_PER_SERIES = 4;

/**
 * Reads stored instance headers for WADO-RS metadata and keeps the per-series metadata cache
 * (table series_metadata). The cache is keyed by series and DICOMweb base URL.
 */
@Injectable()
export class SeriesMetadataRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The cached series metadata, if any. */
  async cached(studyUid: string, seriesUid: string, baseUrl: string): Promise<CachedSeriesMetadata | undefined> {
    const rows = await this.dataSource.query(
      `SELECT m.etag, m.body_gzip, m.body_size FROM series_metadata m
       JOIN series se ON se.id = m.series_pk JOIN studies st ON st.id = se.study_pk
       WHERE se.series_uid = $1 AND st.study_uid = $2 AND m.base_url = $3`,
      [seriesUid, studyUid, baseUrl],
    );
    return rows[0] ? { etag: rows[0].etag, gzip: rows[0].body_gzip, size: rows[0].body_size } : undefined;
  }

  /**
   * Builds and stores the metadata of one series: `render` turns its instance headers into the
   * response. The series row is held FOR SHARE meanwhile, so an instance change (whose trigger
   * locks that row) waits and then removes the fresh entry. Throws NotFoundError.
   */
  async rebuild<T extends CachedSeriesMetadata>(
    studyUid: string,
    seriesUid: string,
    baseUrl: string,
    render: (rows: InstanceHeaderRow[]) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      const [series] = await em.query(
        `SELECT se.id FROM series se JOIN studies st ON st.id = se.study_pk
         WHERE se.series_uid = $1 AND st.study_uid = $2 FOR SHARE OF se`,
        [seriesUid, studyUid],
      );
      if (!series) throw new NotFoundError(`series ${seriesUid} not found`);
      const rows = await this.headerRows(em, 'i.series_pk = $1', [series.id]);
      if (rows.length === 0) throw new NotFoundError(`series ${seriesUid} not found`);
      const built = await render(rows);
      await em.query(
        `INSERT INTO series_metadata (series_pk, base_url, etag, body_gzip, body_size, instance_count) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (series_pk, base_url) DO UPDATE SET etag = EXCLUDED.etag, body_gzip = EXCLUDED.body_gzip,
           body_size = EXCLUDED.body_size, instance_count = EXCLUDED.instance_count, created_at = now()`,
        [series.id, baseUrl, built.etag, built.gzip, built.size, rows.length],
      );
      // The base URL comes from the Host header: keep a few per series, not one per forged host.
      await em.query(
        `DELETE FROM series_metadata WHERE series_pk = $1 AND base_url NOT IN
           (SELECT base_url FROM series_metadata WHERE series_pk = $1 ORDER BY created_at DESC, base_url LIMIT ${BASE_URLS_PER_SERIES})`,
        [series.id],
      );
      return built;
    });
  }

  /** The series of a study in retrieve order. Throws NotFoundError when the study has none. */
  async seriesOfStudy(studyUid: string): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT se.series_uid FROM series se JOIN studies st ON st.id = se.study_pk
       WHERE st.study_uid = $1 AND se.num_instances > 0 ORDER BY se.series_number ASC NULLS LAST, se.id`,
      [studyUid],
    );
    if (rows.length === 0) throw new NotFoundError(`study ${studyUid} not found`);
    return rows.map((r: { series_uid: string }) => r.series_uid);
  }

  /** The stored header of one instance. Throws NotFoundError. */
  async instanceHeader(scope: Required<MetadataScope>): Promise<InstanceHeaderRow> {
    const [row] = await this.headerRows(this.dataSource.manager, 'st.study_uid = $1 AND se.series_uid = $2 AND i.sop_instance_uid = $3', [
      scope.studyUid,
      scope.seriesUid,
      scope.sopInstanceUid,
    ]);
    if (!row) throw new NotFoundError(`instance ${scope.sopInstanceUid} not found`);
    return row;
  }

  private async headerRows(em: EntityManager, where: string, params: unknown[]): Promise<InstanceHeaderRow[]> {
    const rows = await em.query(`SELECT ${HEADER_COLUMNS} FROM ${FROM} WHERE ${where} ORDER BY ${ORDER}`, params);
    return rows.map((r: Record<string, unknown>) => ({
      studyUid: r.study_uid as string,
      seriesUid: r.series_uid as string,
      sopInstanceUid: r.sop_instance_uid as string,
      transferSyntaxUid: r.transfer_syntax_uid as string,
      // Headers indexed before values were normalized at ingest hold them as received.
      attributes: normalizeDicomJson(r.attributes as DicomJson),
    }));
  }
}
