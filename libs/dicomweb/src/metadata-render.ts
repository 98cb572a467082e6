import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DicomJson, isEncapsulatedTransferSyntax } from '@pacs/dicom';
import type { CachedSeriesMetadata, InstanceHeaderRow } from '@pacs/index';
import { instanceUrl } from './retrieve-url';

const gzipAsync = promisify(gzip);
const PIXEL_DATA = '7FE00010';
const ROWS = '00280010';
const AVAILABLE_TRANSFER_SYNTAX = '00083002';

/**
 * One instance's WADO-RS metadata (PS3.18 10.4.1.1.2, F.2): its stored header, with Pixel Data
 * as a BulkDataURI (F.2.6) under the instance's bulkdata resource, and Available Transfer
 * Syntax UID (0008,3002) naming the stored syntax. Keys in tag order.
 */
export function instanceMetadata(row: InstanceHeaderRow, baseUrl: string): DicomJson {
  const all: DicomJson = { ...row.attributes, [AVAILABLE_TRANSFER_SYNTAX]: { vr: 'UI', Value: [row.transferSyntaxUid] } };
  // The index keeps the header up to Pixel Data; an image (it has Rows) has Pixel Data after it.
  if (all[ROWS] && !all[PIXEL_DATA]) {
    const vr = isEncapsulatedTransferSyntax(row.transferSyntaxUid) ? 'OB' : 'OW';
    const uri = `${instanceUrl(baseUrl, row.studyUid, row.seriesUid, row.sopInstanceUid)}/bulkdata/${PIXEL_DATA}`;
    all[PIXEL_DATA] = { vr, BulkDataURI: uri };
  }
  const out: DicomJson = {};
  for (const tag of Object.keys(all).sort()) out[tag] = all[tag];
  return out;
}

/** The JSON array of a series' instances, and its gzip, with a strong ETag of the JSON bytes. */
export async function renderSeriesMetadata(rows: InstanceHeaderRow[], baseUrl: string): Promise<CachedSeriesMetadata & { body: Buffer }> {
  const body = Buffer.from(JSON.stringify(rows.map((row) => instanceMetadata(row, baseUrl))), 'utf8');
  return { body, gzip: await gzipAsync(body), etag: etagOf([body]), size: body.length };
}

/** `"<sha-256 of the parts, base64url>"`: a strong validator (RFC 9110 8.8.3). */
export function etagOf(parts: (Buffer | string)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return `"${hash.digest('base64url').slice(0, 32)}"`;
}

/**
 * RFC 9110 13.1.2: If-None-Match matches with the weak comparison; `*` matches any current
 * representation. A gzip body carries the same tag with a `-gz` suffix, also accepted.
 */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || tag === `${etag.slice(0, -1)}-gz"`;
  });
}

/** The ETag sent with a gzip body: a different representation needs a different strong tag. */
export function gzipEtag(etag: string): string {
  return `${etag.slice(0, -1)}-gz"`;
}
