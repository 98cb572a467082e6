import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { newUid, writeInstance } from '../support/generator';

/**
 * The benchmark corpus: CT Image Storage, explicit VR little endian, uncompressed 16-bit
 * pixels, written with the shared test generator. Each instance carries the attributes a
 * PACS indexes plus the CT geometry (position, orientation, spacing), so the servers under
 * test do their normal work on realistic headers.
 */

export interface CorpusShape {
  studies: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  rows: number;
  columns: number;
}

export interface Corpus {
  dir: string;
  files: string[];
  bytes: number;
  /** True when an earlier run's corpus was found complete and used as it is. */
  reused: boolean;
}

const MANIFEST = 'manifest.json';
/** Written into the manifest: a corpus from another writer or shape is regenerated. */
const WRITER = 'test/support/generator, harness names';
const SLICE_MM = 1.25;

/** The study's identity; `patient` names patient, ID and accession (default `BENCH<study>`). */
export interface StudyUids {
  studyUid: string;
  frameUid: string;
  patient?: string;
}

/**
 * Family names as the shared harness's corpus has them: most match `DOE*` (DOE, DOEBLER, DOERR),
 * the last tenth do not, so the wildcard C-FIND and QIDO of both harnesses filter alike.
 */
export const FIND_PREFIX = 'DOE';
export function familyName(study: number, studies: number): string {
  if (study > studies - Math.max(1, Math.round(studies / 10))) return ['SMITH', 'JONES'][study % 2];
  return ['DOE', 'DOEBLER', 'DOERR'][study % 3];
}

export function writeSeries(dir: string, shape: CorpusShape, study: number, series: number, studyUids: StudyUids, count = shape.instancesPerSeries): string[] {
  const seriesUid = newUid();
  const files: string[] = [];
  const patient = studyUids.patient ?? `BENCH${study}`;
  const family = studyUids.patient ? patient.replace(/\d+$/, '') : familyName(study, shape.studies);
  for (let instance = 1; instance <= count; instance++) {
    const file = path.join(dir, `study-${study}`, `series-${series}`, `ct-${String(instance).padStart(4, '0')}.dcm`);
    const z = instance * SLICE_MM;
    writeInstance(file, {
      patientName: `${family}^PATIENT${study}`,
      patientId: patient,
      accessionNumber: patient,
      studyDescription: `Bench CT study ${study}`,
      seriesDescription: `Bench series ${series}`,
      studyUid: studyUids.studyUid,
      seriesUid,
      seriesNumber: series,
      instanceNumber: instance,
      rows: shape.rows,
      columns: shape.columns,
      bitsAllocated: 16,
      specificCharacterSet: 'ISO_IR 100',
      extra: {
        FrameOfReferenceUID: studyUids.frameUid,
        ImagePositionPatient: [-250, -250, z],
        ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
        SliceLocation: z,
        SliceThickness: SLICE_MM,
        PixelSpacing: [0.976, 0.976],
        KVP: 120,
        WindowCenter: 40,
        WindowWidth: 400,
      },
    });
    files.push(file);
  }
  return files;
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export async function sizeOf(files: string[]): Promise<number> {
  const sizes = await Promise.all(files.map(async (f) => (await fs.stat(f)).size));
  return sizes.reduce((a, b) => a + b, 0);
}

function manifestOf(shape: CorpusShape): string {
  return JSON.stringify({ writer: WRITER, ...shape });
}

/** The corpus already on disk when its manifest matches and every file is there. */
async function existingCorpus(dir: string, shape: CorpusShape): Promise<Corpus | undefined> {
  try {
    if ((await fs.readFile(path.join(dir, MANIFEST), 'utf8')) !== manifestOf(shape)) return undefined;
    const files = await listFiles(dir);
    const expected = shape.studies * shape.seriesPerStudy * shape.instancesPerSeries;
    return files.length === expected ? { dir, files, bytes: await sizeOf(files), reused: true } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reuses `dir` when it holds this exact corpus, otherwise rewrites it from scratch. Sorted
 * paths keep each study's files together, so splitting the list gives whole studies.
 */
export async function ensureCorpus(dir: string, shape: CorpusShape): Promise<Corpus> {
  const existing = await existingCorpus(dir, shape);
  if (existing) return existing;
  await fs.rm(dir, { recursive: true, force: true });
  const files: string[] = [];
  for (let study = 1; study <= shape.studies; study++) {
    const uids = { studyUid: newUid(), frameUid: newUid() };
    for (let series = 1; series <= shape.seriesPerStudy; series++) files.push(...writeSeries(dir, shape, study, series, uids));
  }
  // Written last, so an interrupted generation is never mistaken for a complete corpus.
  await fs.writeFile(path.join(dir, MANIFEST), manifestOf(shape));
  return { dir, files: files.sort(), bytes: await sizeOf(files), reused: false };
}
