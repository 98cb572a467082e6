import { promises as fs, readFileSync } from 'node:fs';
import * as dicomParser from 'dicom-parser';
import * as path from 'node:path';
import { newUid } from '../support/generator';
import { CorpusShape, listFiles, sizeOf, writeSeries } from './corpus';

/**
 * The query/retrieve study: one ~1 GB CT study (2,000 instances of 512×512×16) with series of
 * 500, 500, 500, 400 and 100 instances, so the bench has a 500-instance series (metadata), a
 * 100-instance series (C-GET, C-MOVE) and a 1 GB study (memory during a WADO-RS retrieve).
 */
export const QR_SERIES_SIZES = [500, 500, 500, 400, 100];
const SHAPE: CorpusShape = { studies: 1, seriesPerStudy: QR_SERIES_SIZES.length, instancesPerSeries: 500, rows: 512, columns: 512 };
const MANIFEST = 'manifest.json';
const PATIENT = 'BENCHQR1';

export interface QrSeries {
  seriesUid: string;
  instanceUids: string[];
}

export interface QrCorpus {
  dir: string;
  files: string[];
  bytes: number;
  studyUid: string;
  /** In the order of QR_SERIES_SIZES. */
  series: QrSeries[];
  reused: boolean;
}

interface Manifest {
  sizes: number[];
  studyUid: string;
  series: QrSeries[];
}

async function existing(dir: string): Promise<QrCorpus | undefined> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.sizes.join(',') !== QR_SERIES_SIZES.join(',')) return undefined;
    const files = await listFiles(dir);
    if (files.length !== QR_SERIES_SIZES.reduce((a, b) => a + b, 0)) return undefined;
    return { dir, files, bytes: await sizeOf(files), studyUid: manifest.studyUid, series: manifest.series, reused: true };
  } catch {
    return undefined;
  }
}

/** A string element of a written file's header (dicom-parser reads it without copying pixels). */
function stringOf(file: string, tag: string): string {
  const data = readFileSync(file);
  return dicomParser.parseDicom(new Uint8Array(data.buffer, data.byteOffset, data.length), { untilTag: 'x7fe00010' }).string(tag) ?? '';
}

export async function ensureQrCorpus(dir: string): Promise<QrCorpus> {
  const found = await existing(dir);
  if (found) return found;
  await fs.rm(dir, { recursive: true, force: true });
  const uids = { studyUid: newUid(), frameUid: newUid(), patient: PATIENT };
  const series: QrSeries[] = [];
  const files: string[] = [];
  for (const [i, count] of QR_SERIES_SIZES.entries()) {
    const written = writeSeries(dir, SHAPE, 1, i + 1, uids, count);
    files.push(...written);
    series.push({ seriesUid: stringOf(written[0], 'x0020000e'), instanceUids: written.map((f) => stringOf(f, 'x00080018')) });
  }
  const manifest: Manifest = { sizes: QR_SERIES_SIZES, studyUid: uids.studyUid, series };
  await fs.writeFile(path.join(dir, MANIFEST), JSON.stringify(manifest));
  return { dir, files: files.sort(), bytes: await sizeOf(files), studyUid: uids.studyUid, series, reused: false };
}
