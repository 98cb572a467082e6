import { DicomJson } from '@pacs/dicom';

export type QueryLevel = 'study' | 'series' | 'instance';

/**
 * One query for both QIDO-RS and C-FIND: matching keys by tag (8 hex digits, or a keyword
 * such as "PatientName") with DICOM matching syntax (PS3.4 C.2.2.2): single value, "*"/"?"
 * wildcards, "a-b" ranges for dates/times, "\\"-separated UID lists, "" for universal match.
 */
export interface InstanceQuery {
  level: QueryLevel;
  match: Record<string, string>;
  /** Scope for nested resources: /studies/{s}/series, /studies/{s}/series/{se}/instances. */
  studyUid?: string;
  seriesUid?: string;
  limit?: number;
  offset?: number;
  fuzzy?: boolean;
  /** Extra attributes to return (tags or keywords), or 'all'. */
  includeFields?: string[] | 'all';
}

export interface QueryPage {
  results: DicomJson[];
  /** True when more matches exist beyond limit/offset. */
  truncated: boolean;
}

/** Where a stored instance's bytes are, for WADO-RS, C-GET and C-MOVE. */
export interface StoredInstance {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  blobKey: string;
  sizeBytes: number;
}

/** A stored instance with what a media directory (DICOMDIR, PS3.3 F.5) records of it and its parents. */
export interface MediaInstance extends StoredInstance {
  patient: { id: string; issuer: string; name: string | null };
  study: { date: string | null; time: string | null; accessionNumber: string | null; description: string | null; studyId: string | null };
  series: { modality: string | null; number: number | null };
  instanceNumber: number | null;
}

/** Query/Retrieve levels of C-FIND (PS3.4 C.6.1.1: PATIENT, STUDY, SERIES, IMAGE). */
export type FindLevel = 'patient' | QueryLevel;

/** One matching key of a C-FIND identifier (PS3.4 C.2.2.2), by tag. */
export interface FindKey {
  /** 8 uppercase hex digits. */
  tag: string;
  /** Matching value in DICOM syntax ("" universal, wildcards, ranges, "\\"-separated UID lists). */
  value: string;
  /** For a sequence key (PS3.4 C.2.2.2.6): the keys of its one item. */
  items?: FindKey[];
}

/** A C-FIND query: keys to match and return; results are streamed, no limit. */
export interface FindQuery {
  level: FindLevel;
  keys: FindKey[];
  /** Tags returned besides the keys: the unique keys of this level and those above (PS3.4 C.4.1.2.1). */
  alwaysReturn: string[];
}
