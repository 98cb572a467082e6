import { DicomJson, getNumber, getPersonName, getString, InstanceHeader, isStorageSopClass, isValidUid, Tag } from '@pacs/dicom';
import { IngestError } from './index.errors';
import { IngestSource } from './ingest.types';
import { pickAttributes, SERIES_LEVEL_TAGS, STUDY_LEVEL_TAGS } from './level-attributes';

/** What the index records about one instance, read and validated from its header. */
export interface InstanceFacts {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  transferSyntaxUid: string;
  patient: { id: string; issuer: string; name: string | null; birthDate: string | null; sex: string | null };
  study: {
    date: string | null;
    time: string | null;
    accessionNumber: string | null;
    studyId: string | null;
    description: string | null;
    referringPhysician: string | null;
    attributes: DicomJson;
  };
  series: { modality: string | null; number: number | null; description: string | null; bodyPart: string | null; attributes: DicomJson };
  instanceNumber: number | null;
  attributes: DicomJson;
}

/**
 * Validates the header against the sender's envelope and PS3.4 B.2.3 / PS3.18 10.5 rules
 * (required UIDs present and well formed, SOP class and instance as announced), then extracts
 * the indexed facts. Throws IngestError.
 */
export function instanceFacts(header: InstanceHeader, source: IngestSource): InstanceFacts {
  const ds = header.dataset;
  const sopClassUid = requiredUid(ds, Tag.SOPClassUID, 'SOP Class UID (0008,0016)');
  const sopInstanceUid = requiredUid(ds, Tag.SOPInstanceUID, 'SOP Instance UID (0008,0018)');
  const identify = (err: unknown) =>
    err instanceof IngestError ? new IngestError(err.code, err.message, { sopClassUid, sopInstanceUid }) : err;
  let studyUid: string;
  let seriesUid: string;
  try {
    studyUid = requiredUid(ds, Tag.StudyInstanceUID, 'Study Instance UID (0020,000D)');
    seriesUid = requiredUid(ds, Tag.SeriesInstanceUID, 'Series Instance UID (0020,000E)');
    checkEnvelope(header, source, sopClassUid, sopInstanceUid, studyUid);
  } catch (err) {
    throw identify(err);
  }
  return {
    sopClassUid,
    sopInstanceUid,
    studyUid,
    seriesUid,
    transferSyntaxUid: header.transferSyntaxUid,
    patient: {
      id: getString(ds, Tag.PatientID) ?? '',
      issuer: getString(ds, Tag.IssuerOfPatientID) ?? '',
      name: getPersonName(ds, Tag.PatientName) ?? null,
      birthDate: getString(ds, Tag.PatientBirthDate) ?? null,
      sex: getString(ds, Tag.PatientSex) ?? null,
    },
    study: {
      date: getString(ds, Tag.StudyDate) ?? null,
      time: getString(ds, Tag.StudyTime) ?? null,
      accessionNumber: getString(ds, Tag.AccessionNumber) ?? null,
      studyId: getString(ds, Tag.StudyID) ?? null,
      description: getString(ds, Tag.StudyDescription) ?? null,
      referringPhysician: getPersonName(ds, Tag.ReferringPhysicianName) ?? null,
      attributes: pickAttributes(ds, STUDY_LEVEL_TAGS) as DicomJson,
    },
    series: {
      modality: getString(ds, Tag.Modality) ?? null,
      number: getNumber(ds, Tag.SeriesNumber) ?? null,
      description: getString(ds, Tag.SeriesDescription) ?? null,
      bodyPart: getString(ds, Tag.BodyPartExamined) ?? null,
      attributes: pickAttributes(ds, SERIES_LEVEL_TAGS) as DicomJson,
    },
    instanceNumber: getNumber(ds, Tag.InstanceNumber) ?? null,
    attributes: ds,
  };
}

function requiredUid(ds: DicomJson, tag: string, name: string): string {
  const value = getString(ds, tag);
  if (!value) throw new IngestError('missing-attribute', `${name} is missing`);
  if (!isValidUid(value)) throw new IngestError('invalid-uid', `${name} "${value.slice(0, 64)}" is not a valid UID`);
  return value;
}

function checkEnvelope(header: InstanceHeader, source: IngestSource, sopClassUid: string, sopInstanceUid: string, studyUid: string): void {
  const metaClass = getString(header.meta, Tag.MediaStorageSOPClassUID);
  const metaInstance = getString(header.meta, Tag.MediaStorageSOPInstanceUID);
  const expectedClass = source.expectedSopClassUid ?? metaClass;
  const expectedInstance = source.expectedSopInstanceUid ?? metaInstance;
  // PS3.4 B.2.3: the data set must match the SOP class and instance the command announced.
  if (expectedClass && expectedClass !== sopClassUid) {
    throw new IngestError('sop-class-mismatch', `dataset SOP Class ${sopClassUid} differs from announced ${expectedClass}`);
  }
  if (expectedInstance && expectedInstance !== sopInstanceUid) {
    throw new IngestError('sop-instance-mismatch', `dataset SOP Instance ${sopInstanceUid} differs from announced ${expectedInstance}`);
  }
  // PS3.18 10.5.1: an instance POSTed to /studies/{study} must belong to that study.
  if (source.expectedStudyUid && source.expectedStudyUid !== studyUid) {
    throw new IngestError('study-mismatch', `instance belongs to study ${studyUid}, not ${source.expectedStudyUid}`);
  }
  // Standard non-storage classes (query/retrieve, worklist...) are never stored; private ones are.
  if (sopClassUid.startsWith('1.2.840.10008.') && !isStorageSopClass(sopClassUid)) {
    throw new IngestError('sop-class-not-supported', `SOP Class ${sopClassUid} is not a storage SOP class`);
  }
}
