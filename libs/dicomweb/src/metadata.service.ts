import { Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CachedSeriesMetadata, SeriesMetadataRepository } from '@pacs/index';
import { BodyLru } from './body-lru';
import { etagOf, instanceMetadata, renderSeriesMetadata } from './metadata-render';

const gunzipAsync = promisify(gunzip);
/** Plain series bodies kept per node, by ETag (a 1,000-instance CT series is about 2 MB). */
const PLAIN_CACHE_BYTES = 128 * 1024 * 1024;

/** A metadata response: its ETag, the stored gzip when there is one, and the plain JSON. */
export interface MetadataBody {
  etag: string;
  gzip?: Buffer;
  plain(): Promise<Buffer | Readable>;
}

/**
 * WADO-RS metadata (PS3.18 10.4.1.1.2) from the stored headers. Series metadata is built once
 * and cached gzipped in PostgreSQL (series_metadata) until an instance of the series changes;
 * the plain JSON is unzipped on demand and kept per node by ETag. Study metadata is the
 * series bodies in series order.
 */
@Injectable()
export class MetadataService {
  private readonly logger = new Logger(MetadataService.name);
  private readonly plainBodies = new BodyLru(PLAIN_CACHE_BYTES);

  constructor(private readonly repo: SeriesMetadataRepository) {}

  /** Cached series metadata, built on a miss. Throws NotFoundError. */
  async series(studyUid: string, seriesUid: string, baseUrl: string): Promise<MetadataBody> {
    const cached = (await this.repo.cached(studyUid, seriesUid, baseUrl)) ?? (await this.build(studyUid, seriesUid, baseUrl));
    return { etag: cached.etag, gzip: cached.gzip, plain: () => this.plainOf(cached) };
  }

  /** Every series of the study, each from the cache, spliced into one array. Throws NotFoundError. */
  async study(studyUid: string, baseUrl: string): Promise<MetadataBody> {
    const seriesUids = await this.repo.seriesOfStudy(studyUid);
    const parts: MetadataBody[] = [];
    for (const seriesUid of seriesUids) parts.push(await this.series(studyUid, seriesUid, baseUrl));
    return {
      etag: etagOf(parts.map((p) => p.etag)),
      plain: async () => Readable.from(spliceArrays(parts)),
    };
  }

  /** One instance's metadata, as a one-element array (PS3.18 10.4.1.1.2). Throws NotFoundError. */
  async instance(studyUid: string, seriesUid: string, sopInstanceUid: string, baseUrl: string): Promise<MetadataBody> {
    const row = await this.repo.instanceHeader({ studyUid, seriesUid, sopInstanceUid });
    const body = Buffer.from(JSON.stringify([instanceMetadata(row, baseUrl)]), 'utf8');
    return { etag: etagOf([body]), plain: async () => body };
  }

  private async build(studyUid: string, seriesUid: string, baseUrl: string): Promise<CachedSeriesMetadata> {
    const started = Date.now();
    const built = await this.repo.rebuild(studyUid, seriesUid, baseUrl, (rows) => renderSeriesMetadata(rows, baseUrl));
    this.plainBodies.set(built.etag, built.body);
    this.logger.log({ studyUid, seriesUid, ms: Date.now() - started, bytes: built.size }, 'series metadata cached');
    return built;
  }

  private async plainOf(cached: CachedSeriesMetadata): Promise<Buffer> {
    const known = this.plainBodies.get(cached.etag);
    if (known) return known;
    const body = await gunzipAsync(cached.gzip);
    this.plainBodies.set(cached.etag, body);
    return body;
  }
}

/** `[a,b]` and `[c]` → `[a,b,c]` without parsing: each body is a JSON array of objects. */
async function* spliceArrays(parts: MetadataBody[]): AsyncGenerator<Buffer> {
  yield Buffer.from('[');
  let first = true;
  for (const part of parts) {
    const body = (await part.plain()) as Buffer;
    if (body.length <= 2) continue;
    if (!first) yield Buffer.from(',');
    first = false;
    yield body.subarray(1, body.length - 1);
  }
  yield Buffer.from(']');
}
