// The instances a chaos run sends: small CT images with a larger one now and then (so that
// kills also land in the middle of a transfer), remembered by the SHA-256 of their data set.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { newUid, writeInstance } from '../support/generator';
import { datasetOf } from '../support/raw-pdu';

export interface ChaosInstance {
  file: string;
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  /** SHA-256 of the data set (what follows the File Meta): what WADO-RS must give back. */
  datasetSha256: string;
}

export interface CorpusShape {
  studies: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  /** Every n-th instance is 512 × 512 (512 KB) instead of 64 × 64. */
  largeEvery: number;
}

export const CHAOS_PATIENT_PREFIX = 'CHAOS-';

export function writeCorpus(dir: string, shape: CorpusShape): ChaosInstance[] {
  const out: ChaosInstance[] = [];
  for (let s = 0; s < shape.studies; s++) {
    const studyUid = newUid();
    for (let se = 0; se < shape.seriesPerStudy; se++) {
      const seriesUid = newUid();
      for (let i = 0; i < shape.instancesPerSeries; i++) {
        const file = join(dir, `st${s}`, `se${se}-i${i}.dcm`);
        const rows = out.length % shape.largeEvery === shape.largeEvery - 1 ? 512 : 64;
        const built = writeInstance(file, { rows, patientId: `${CHAOS_PATIENT_PREFIX}${s}`, studyUid, seriesUid, sopInstanceUid: newUid(), seriesNumber: se + 1, instanceNumber: i + 1 });
        const datasetSha256 = createHash('sha256').update(datasetOf(built.bytes)).digest('hex');
        out.push({ file, studyUid, seriesUid, sopInstanceUid: built.sopInstanceUid, datasetSha256 });
      }
    }
  }
  return out;
}
