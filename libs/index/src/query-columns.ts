import { QueryLevel } from './query.types';

export type MatchKind = 'string' | 'pn' | 'uid' | 'date' | 'time' | 'int' | 'array';

export interface Column {
  sql: string;
  kind: MatchKind;
}

/** Attributes indexed as columns, by level (tags as DICOM JSON keys). */
const STUDY_COLUMNS: Record<string, Column> = {
  '0020000D': { sql: 'st.study_uid', kind: 'uid' },
  '00100010': { sql: 'p.patient_name', kind: 'pn' },
  '00100020': { sql: 'p.patient_id', kind: 'string' },
  '00100030': { sql: 'p.birth_date', kind: 'date' },
  '00100040': { sql: 'p.sex', kind: 'string' },
  '00080020': { sql: 'st.study_date', kind: 'date' },
  '00080030': { sql: 'st.study_time', kind: 'time' },
  '00080050': { sql: 'st.accession_number', kind: 'string' },
  '00200010': { sql: 'st.study_id', kind: 'string' },
  '00081030': { sql: 'st.study_description', kind: 'string' },
  '00080090': { sql: 'st.referring_physician', kind: 'pn' },
  '00080061': { sql: 'st.modalities', kind: 'array' },
  // Study Status ID: COMPLETED once MPPS and the stored instances say so (StudyStatusRepository).
  '0032000A': { sql: "(CASE WHEN st.completed_at IS NULL THEN NULL ELSE 'COMPLETED' END)", kind: 'string' },
};

const SERIES_COLUMNS: Record<string, Column> = {
  ...STUDY_COLUMNS,
  '0020000E': { sql: 'se.series_uid', kind: 'uid' },
  '00080060': { sql: 'se.modality', kind: 'string' },
  '00200011': { sql: 'se.series_number', kind: 'int' },
  '0008103E': { sql: 'se.series_description', kind: 'string' },
  '00180015': { sql: 'se.body_part', kind: 'string' },
};

const INSTANCE_COLUMNS: Record<string, Column> = {
  ...SERIES_COLUMNS,
  '00080018': { sql: 'i.sop_instance_uid', kind: 'uid' },
  '00080016': { sql: 'i.sop_class_uid', kind: 'uid' },
  '00200013': { sql: 'i.instance_number', kind: 'int' },
};

export const COLUMNS: Record<QueryLevel, Record<string, Column>> = {
  study: STUDY_COLUMNS,
  series: SERIES_COLUMNS,
  instance: INSTANCE_COLUMNS,
};

/** Attributes that are not columns are matched in the JSONB header of the level. */
export const ATTRIBUTES_SQL: Record<QueryLevel, string> = {
  study: 'st.attributes',
  series: 'se.attributes',
  instance: 'i.attributes',
};

export function kindOfVr(vr: string): MatchKind {
  switch (vr) {
    case 'PN':
      return 'pn';
    case 'UI':
      return 'uid';
    case 'DA':
      return 'date';
    case 'TM':
    case 'DT':
      return 'time';
    default:
      return 'string';
  }
}
