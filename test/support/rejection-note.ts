// IHE IOCM Rejection Notes for tests: Key Object Selection Documents (PS3.3 A.35.4) written as
// real Part 10 files by the generator (dcmjs), titled with a CID 7011 code or any other.
import { buildInstance, BuiltInstance, newUid, writeInstance } from './generator';

export const KEY_OBJECT_SELECTION = '1.2.840.10008.5.1.4.1.1.88.59';

/** One study's instances to reference, with their series and SOP class. */
export interface Referenced {
  studyUid: string;
  sopClassUid: string;
  series: { seriesUid: string; sopInstanceUids: string[] }[];
}

export interface NoteSpec {
  /** CID 7011 code value (DCM), e.g. 113001 Rejected for Quality Reasons, or any other title. */
  code: string;
  meaning: string;
  scheme?: string;
  patientId: string;
  referenced: Referenced;
}

/**
 * The note is a series of its own (modality KO) in the study it rejects from. Its Current
 * Requested Procedure Evidence Sequence (0040,A375) lists every referenced instance, and its
 * content tree (TID 2010) has one IMAGE item per instance, as a modality's IOCM actor sends it.
 */
function noteSpec(spec: NoteSpec) {
  const code = { CodeValue: spec.code, CodingSchemeDesignator: spec.scheme ?? 'DCM', CodeMeaning: spec.meaning };
  const refs = spec.referenced.series.flatMap((s) => s.sopInstanceUids);
  return {
    studyUid: spec.referenced.studyUid,
    seriesUid: newUid(),
    sopClassUid: KEY_OBJECT_SELECTION,
    modality: 'KO',
    patientId: spec.patientId,
    rows: 0,
    extra: {
      ContentDate: '20260101',
      ContentTime: '120000',
      ReferencedPerformedProcedureStepSequence: [],
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [code],
      ContinuityOfContent: 'SEPARATE',
      ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '2010' }],
      CurrentRequestedProcedureEvidenceSequence: [{
        StudyInstanceUID: spec.referenced.studyUid,
        ReferencedSeriesSequence: spec.referenced.series.map((s) => ({
          SeriesInstanceUID: s.seriesUid,
          ReferencedSOPSequence: s.sopInstanceUids.map((uid) => ({ ReferencedSOPClassUID: spec.referenced.sopClassUid, ReferencedSOPInstanceUID: uid })),
        })),
      }],
      ContentSequence: refs.map((uid) => ({
        RelationshipType: 'CONTAINS',
        ValueType: 'IMAGE',
        ReferencedSOPSequence: [{ ReferencedSOPClassUID: spec.referenced.sopClassUid, ReferencedSOPInstanceUID: uid }],
      })),
    },
  };
}

export function writeRejectionNote(path: string, spec: NoteSpec): BuiltInstance {
  return writeInstance(path, noteSpec(spec));
}

export function buildRejectionNote(spec: NoteSpec): BuiltInstance {
  return buildInstance(noteSpec(spec));
}
