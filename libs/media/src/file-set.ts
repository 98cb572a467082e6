import type { MediaInstance } from '@pacs/index';

/**
 * A DICOM file-set laid out for media (PS3.10 8): each instance gets a File ID of five
 * components, `DICOM/PAT00001/STU00001/SER00001/IMG00001`, each at most 8 characters of
 * upper-case letters and digits (PS3.10 8.2, PS3.12's ISO 9660 rules), numbered in the order
 * patients, studies, series and instances come. The tree is what the DICOMDIR records.
 */
export interface MediaFile {
  fileId: string[];
  instance: MediaInstance;
}

export interface SeriesNode {
  instance: MediaInstance;
  files: MediaFile[];
}

export interface StudyNode {
  instance: MediaInstance;
  series: SeriesNode[];
}

export interface PatientNode {
  instance: MediaInstance;
  studies: StudyNode[];
}

export interface FileSet {
  patients: PatientNode[];
  files: MediaFile[];
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(8 - prefix.length, '0')}`;

/** The node under `key`, made and appended to `list` the first time. */
function nodeOf<T>(nodes: Map<string, T>, key: string, list: T[], make: () => T): T {
  let node = nodes.get(key);
  if (!node) {
    node = make();
    nodes.set(key, node);
    list.push(node);
  }
  return node;
}

/** Groups instances (in patient, study, series, instance order) into the file-set's tree. */
export function layOutFileSet(instances: readonly MediaInstance[]): FileSet {
  const patients: PatientNode[] = [];
  const files: MediaFile[] = [];
  const byPatient = new Map<string, PatientNode>();
  const byStudy = new Map<string, StudyNode>();
  const bySeries = new Map<string, SeriesNode>();
  for (const instance of instances) {
    const patient = nodeOf(byPatient, `${instance.patient.id}\u0000${instance.patient.name ?? ''}`, patients, () => ({ instance, studies: [] }));
    const study = nodeOf(byStudy, instance.studyUid, patient.studies, () => ({ instance, series: [] }));
    const series = nodeOf(bySeries, instance.seriesUid, study.series, () => ({ instance, files: [] }));
    const fileId = [
      'DICOM',
      id('PAT', patients.indexOf(patient) + 1),
      id('STU', patient.studies.indexOf(study) + 1),
      id('SER', study.series.indexOf(series) + 1),
      id('IMG', series.files.length + 1),
    ];
    const file = { fileId, instance };
    series.files.push(file);
    files.push(file);
  }
  return { patients, files };
}
