import { DicomJson, getString } from '@pacs/dicom';

/** Key Object Selection Document Storage (PS3.4 B.5): the SOP class of an IOCM Rejection Note. */
export const KEY_OBJECT_SELECTION = '1.2.840.10008.5.1.4.1.1.88.59';

/**
 * Document titles that make a Key Object Selection a Rejection Note (PS3.16 CID 7011 "Rejected
 * for Quality Reasons" and its siblings; IHE RAD TF-3 4.66 Rejection Note Stored). Code values
 * of the DCM scheme; any other title leaves the KOS an ordinary document.
 */
export const REJECTION_TITLES: Readonly<Record<string, string>> = {
  '113001': 'Rejected for Quality Reasons',
  '113037': 'Rejected for Patient Safety Reasons',
  '113038': 'Incorrect Modality Worklist Entry',
  '113039': 'Data Retention Policy Expired',
};

/** One instance a Rejection Note rejects. */
export interface RejectedReference {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
}

export interface RejectionNote {
  /** The title (CID 7011 code value, scheme DCM) and its meaning. */
  reasonCode: string;
  reasonMeaning: string;
  references: RejectedReference[];
}

const CONCEPT_NAME_CODE_SEQUENCE = '0040A043';
const CODE_VALUE = '00080100';
const CODING_SCHEME_DESIGNATOR = '00080102';
const CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE = '0040A375';
const REFERENCED_SERIES_SEQUENCE = '00081115';
const REFERENCED_SOP_SEQUENCE = '00081199';
const REFERENCED_SOP_INSTANCE_UID = '00081155';
const STUDY_INSTANCE_UID = '0020000D';
const SERIES_INSTANCE_UID = '0020000E';

/**
 * The Rejection Note in a data set, or undefined when it is none: a Key Object Selection
 * Document whose Concept Name Code Sequence (0040,A043) is a CID 7011 title of scheme DCM. The
 * rejected instances are those of its Current Requested Procedure Evidence Sequence
 * (0040,A375) → Referenced Series Sequence → Referenced SOP Sequence (PS3.3 C.17.2, the SR
 * Document General module; IHE RAD TF-2 IOCM).
 */
export function rejectionNote(sopClassUid: string, ds: DicomJson): RejectionNote | undefined {
  if (sopClassUid !== KEY_OBJECT_SELECTION) return undefined;
  const title = items(ds, CONCEPT_NAME_CODE_SEQUENCE)[0];
  const code = title && getString(title, CODE_VALUE);
  if (!code || getString(title, CODING_SCHEME_DESIGNATOR) !== 'DCM' || !(code in REJECTION_TITLES)) return undefined;
  const references: RejectedReference[] = [];
  for (const study of items(ds, CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE)) {
    const studyUid = getString(study, STUDY_INSTANCE_UID);
    for (const series of items(study, REFERENCED_SERIES_SEQUENCE)) {
      const seriesUid = getString(series, SERIES_INSTANCE_UID);
      for (const sop of items(series, REFERENCED_SOP_SEQUENCE)) {
        const sopInstanceUid = getString(sop, REFERENCED_SOP_INSTANCE_UID);
        if (studyUid && seriesUid && sopInstanceUid) references.push({ studyUid, seriesUid, sopInstanceUid });
      }
    }
  }
  return { reasonCode: code, reasonMeaning: REJECTION_TITLES[code], references };
}

function items(ds: DicomJson, tag: string): DicomJson[] {
  return (ds[tag]?.Value ?? []).filter((item): item is DicomJson => typeof item === 'object' && item !== null);
}
