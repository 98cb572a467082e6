import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { dataSourceOptions, openMigrated, startEmbeddedPostgres } from '@pacs/database';
import { DicomJson, readInstanceHeader } from '@pacs/dicom';
import { DataSource } from 'typeorm';
import { freePort } from '../support/ports';

/**
 * The archive of the scale phase: one million index rows in a PACS data directory, written by
 * the index's own SQL function (pacs_index_instances, the statement every ingest batch runs),
 * so patients, studies and series, their counters, ModalitiesInStudy and every index are what
 * a million C-STOREs would have left. Blobs are not written (queries do not read them).
 *
 * Each instance's header is a real one (the ingest corpus's first file, as the ingest reads it)
 * with its identifiers, names, dates and numbers replaced; the values follow from the study's
 * number, so the queries of the phase know which exist (ArchiveShape, patientOf, studyOf).
 */
export interface ArchiveShape {
  studies: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  patients: number;
}

export const SCALE_SHAPE: ArchiveShape = { studies: 25_000, seriesPerStudy: 4, instancesPerSeries: 10, patients: 10_000 };

export const MODALITIES = ['CT', 'MR', 'CR', 'US', 'DX', 'MG', 'PT'];
const SYLLABLES = ['KA', 'LO', 'MI', 'RE', 'TU', 'SA', 'NE', 'VO', 'BI', 'DA', 'GE', 'HO', 'PI', 'RU', 'ZE', 'FA'];
const GIVEN = ['ANNA', 'BEN', 'CLARA', 'DAVID', 'EMMA', 'FELIX', 'GRETA', 'HUGO', 'IDA', 'JONAS', 'KARL', 'LENA', 'MAX', 'NORA', 'OTTO', 'PAULA'];
const FIRST_DAY = Date.UTC(2020, 0, 1);
const DAYS = 5 * 365;
const ROOT = '1.2.826.0.1.3680043.10.543.9';
const BATCH = 500;
const WRITER = 'scale-archive 1';

export interface Patient {
  id: string;
  /** Family name: three syllables, 16³ of them, so a four-letter prefix picks out a few patients. */
  family: string;
  name: string;
}

export function patientOf(p: number): Patient {
  const s = (n: number) => SYLLABLES[n % SYLLABLES.length];
  const family = `${s(p)}${s(p >> 4)}${s(p >> 8)}`;
  return { id: `P${String(p).padStart(7, '0')}`, family, name: `${family}^${GIVEN[(p >> 12) % GIVEN.length]}` };
}

export interface Study {
  uid: string;
  patient: Patient;
  accession: string;
  date: string;
  modality: string;
}

export function studyOf(k: number, shape: ArchiveShape = SCALE_SHAPE): Study {
  const day = new Date(FIRST_DAY + ((k * 7919) % DAYS) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return { uid: `${ROOT}.${k + 1}`, patient: patientOf(k % shape.patients), accession: `A${String(k + 1).padStart(8, '0')}`, date: day, modality: MODALITIES[k % MODALITIES.length] };
}

const el = (vr: string, ...values: unknown[]) => ({ vr, Value: values });

/** The index rows of one study, in the order the ingest batches them (series, instance). */
function studyRows(k: number, shape: ArchiveShape, header: DicomJson): object[] {
  const st = studyOf(k, shape);
  const studyAttributes: DicomJson = {
    '00080020': el('DA', st.date),
    '00080030': el('TM', '101500'),
    '00080050': el('SH', st.accession),
    '00080090': el('PN', { Alphabetic: 'REFERRER^RITA' }),
    '00081030': el('LO', `${st.modality} EXAM`),
    '00100010': el('PN', { Alphabetic: st.patient.name }),
    '00100020': el('LO', st.patient.id),
    '00100030': el('DA', '19600101'),
    '00100040': el('CS', 'F'),
    '0020000D': el('UI', st.uid),
    '00200010': el('SH', String(k + 1)),
  };
  const rows: object[] = [];
  for (let s = 1; s <= shape.seriesPerStudy; s++) {
    const seriesUid = `${st.uid}.${s}`;
    const seriesAttributes: DicomJson = {
      '00080060': el('CS', st.modality),
      '0008103E': el('LO', `SERIES ${s}`),
      '0020000D': el('UI', st.uid),
      '0020000E': el('UI', seriesUid),
      '00200011': el('IS', s),
    };
    for (let i = 1; i <= shape.instancesPerSeries; i++) {
      const sopInstanceUid = `${seriesUid}.${i}`;
      const attributes = { ...header, ...studyAttributes, ...seriesAttributes, '00080018': el('UI', sopInstanceUid), '00200013': el('IS', i) };
      rows.push({
        expectNew: true,
        patientId: st.patient.id,
        issuer: '',
        patientName: st.patient.name,
        birthDate: '19600101',
        sex: 'F',
        studyUid: st.uid,
        studyDate: st.date,
        studyTime: '101500',
        accessionNumber: st.accession,
        studyId: String(k + 1),
        studyDescription: `${st.modality} EXAM`,
        referringPhysician: 'REFERRER^RITA',
        studyAttributes,
        seriesUid,
        modality: st.modality,
        seriesNumber: s,
        seriesDescription: `SERIES ${s}`,
        bodyPart: null,
        seriesAttributes,
        sopInstanceUid,
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        instanceNumber: i,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        blobKey: `scale/${sopInstanceUid}`,
        sizeBytes: 525_000,
        sha256: '0'.repeat(64),
        sourceAe: 'SCALE',
        attributes,
      });
    }
  }
  return rows;
}

export interface ScaleArchive {
  /** A stopped PACS data directory (its embedded PostgreSQL) holding the index. */
  dir: string;
  instances: number;
  reused: boolean;
  seconds: number;
}

const manifestOf = (shape: ArchiveShape) => JSON.stringify({ writer: WRITER, shape });

/**
 * Reuses `dir` when its manifest matches, else writes the archive afresh: the embedded
 * PostgreSQL of a data directory, migrated, filled by two writers (the ingest's group commit
 * also writes on several connections), then VACUUM ANALYZE as autovacuum would have by then.
 */
export async function ensureScaleArchive(dir: string, headerFile: string, shape: ArchiveShape = SCALE_SHAPE, say: (s: string) => void = () => undefined): Promise<ScaleArchive> {
  const instances = shape.studies * shape.seriesPerStudy * shape.instancesPerSeries;
  const manifest = path.join(dir, 'manifest.json');
  if ((await fs.readFile(manifest, 'utf8').catch(() => '')) === manifestOf(shape)) return { dir, instances, reused: true, seconds: 0 };
  await fs.rm(dir, { recursive: true, force: true });
  const started = Date.now();
  const header = stripIdentity((await readInstanceHeader(headerFile)).dataset);
  const db = await startEmbeddedPostgres(dir, await freePort(), () => undefined);
  try {
    const dataSource = await openMigrated(dataSourceOptions(db.url, 2));
    try {
      await fill(dataSource, shape, header, say);
      await dataSource.query('VACUUM ANALYZE');
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await db.stop();
  }
  // Written last, so an interrupted fill is never mistaken for a complete archive.
  await fs.writeFile(manifest, manifestOf(shape));
  return { dir, instances, reused: false, seconds: (Date.now() - started) / 1000 };
}

/** The header without what each row sets itself. */
function stripIdentity(dataset: DicomJson): DicomJson {
  const { '00080018': _sop, '0020000D': _study, '0020000E': _series, ...rest } = dataset;
  return rest;
}

async function fill(dataSource: DataSource, shape: ArchiveShape, header: DicomJson, say: (s: string) => void): Promise<void> {
  const studiesPerBatch = Math.max(1, Math.floor(BATCH / (shape.seriesPerStudy * shape.instancesPerSeries)));
  let next = 0;
  let lastReport = Date.now();
  const writer = async () => {
    while (next < shape.studies) {
      const first = next;
      next = Math.min(shape.studies, next + studiesPerBatch);
      const rows: object[] = [];
      for (let k = first; k < next; k++) rows.push(...studyRows(k, shape, header));
      await dataSource.query('SELECT pacs_index_instances($1::jsonb)', [JSON.stringify(rows)]);
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        say(`  ${next * shape.seriesPerStudy * shape.instancesPerSeries} instances indexed…`);
      }
    }
  };
  await Promise.all([writer(), writer()]);
}
