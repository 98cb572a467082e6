import { Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { CachedSeriesMetadata, SeriesMetadataRepository } from '@pacs/index';
import { etagOf, instanceMetadata, renderSeriesMetadata } from './metadata-render';

/** A metadata response body: cached bytes (series), or a stream of series bodies (study). */
export interface MetadataBody {
  etag: string;
  body?: Buffer;
  gzip?: Buffer;
  /** Study metadata: series arrays spliced into one array, produced as it is sent. */
  stream?: () => Readable;
}

/**
 * WADO-RS metadata (PS3.18 10.4.1.1.2) from the stored headers. Series metadata is built once
 * and cached in PostgreSQL (series_metadata) until an instance of the series changes; study
 * metadata is the cached series bodies in series order.
 */
@Injectable()
export class MetadataService {
  private readonly logger = new Logger(MetadataService.name);

  constructor(private readonly repo: SeriesMetadataRepository) {}

  /** Cached series metadata, built on a miss. Throws NotFoundError. */
  async series(studyUid: string, seriesUid: string, baseUrl: string): Promise<CachedSeriesMetadata> {
    const cached = await this.repo.cached(studyUid, seriesUid, baseUrl);
    if (cached) return cached;
    const started = Date.now();
    const built = await this.repo.rebuild(studyUid, seriesUid, baseUrl, (rows) => renderSeriesMetadata(rows, baseUrl));
    this.logger.log({ studyUid, seriesUid, ms: Date.now() - started, bytes: built.body.length }, 'series metadata cached');
    return built;
  }

  /** Every series of the study, each from the cache. Throws NotFoundError. */
  async study(studyUid: string, baseUrl: string): Promise<MetadataBody> {
    const seriesUids = await this.repo.seriesOfStudy(studyUid);
    const parts: CachedSeriesMetadata[] = [];
    for (const seriesUid of seriesUids) parts.push(await this.series(studyUid, seriesUid, baseUrl));
    const bodies = parts.map((p) => p.body).filter((b) => b.length > 2);
    return { etag: etagOf(parts.map((p) => p.etag)), stream: () => Readable.from(spliceArrays(bodies)) };
  }

  /** One instance's metadata, as a one-element array (PS3.18 10.4.1.1.2). Throws NotFoundError. */
  async instance(studyUid: string, seriesUid: string, sopInstanceUid: string, baseUrl: string): Promise<MetadataBody> {
    const row = await this.repo.instanceHeader({ studyUid, seriesUid, sopInstanceUid });
    const body = Buffer.from(JSON.stringify([instanceMetadata(row, baseUrl)]), 'utf8');
    return { etag: etagOf([body]), body };
  }
}

/** `[a,b]` and `[c]` → `[a,b,c]` without parsing: each body is a JSON array of objects. */
function* spliceArrays(bodies: Buffer[]): Generator<Buffer> {
  yield Buffer.from('[');
  for (let i = 0; i < bodies.length; i++) {
    if (i > 0) yield Buffer.from(',');
    yield bodies[i].subarray(1, bodies[i].length - 1);
  }
  yield Buffer.from(']');
}
