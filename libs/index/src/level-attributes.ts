/**
 * Which attributes belong to which level of the index, and which are returned by default.
 * Tags are 8 uppercase hex digits (DICOM JSON keys).
 */

/** Patient and study modules: kept in studies.attributes (PS3.4 C.6.2.1.2 study level keys). */
export const STUDY_LEVEL_TAGS = new Set([
  '00080005', // SpecificCharacterSet
  '00080020', // StudyDate
  '00080030', // StudyTime
  '00080050', // AccessionNumber
  '00080051', // IssuerOfAccessionNumberSequence
  '00080090', // ReferringPhysicianName
  '00080201', // TimezoneOffsetFromUTC
  '00081030', // StudyDescription
  '00081032', // ProcedureCodeSequence
  '00081060', // NameOfPhysiciansReadingStudy
  '00100010', // PatientName
  '00100020', // PatientID
  '00100021', // IssuerOfPatientID
  '00100030', // PatientBirthDate
  '00100032', // PatientBirthTime
  '00100040', // PatientSex
  '00101000', // OtherPatientIDs
  '00101001', // OtherPatientNames
  '00101010', // PatientAge
  '00101020', // PatientSize
  '00101030', // PatientWeight
  '00102160', // EthnicGroup
  '00104000', // PatientComments
  '0020000D', // StudyInstanceUID
  '00200010', // StudyID
  '00321032', // RequestingPhysician
  '00321060', // RequestedProcedureDescription
]);

/** General series module and friends: kept in series.attributes (PS3.4 C.6.2.1.3). */
export const SERIES_LEVEL_TAGS = new Set([
  '00080005', // SpecificCharacterSet
  '00080021', // SeriesDate
  '00080031', // SeriesTime
  '00080060', // Modality
  '00080070', // Manufacturer
  '00080080', // InstitutionName
  '00081010', // StationName
  '0008103E', // SeriesDescription
  '00081050', // PerformingPhysicianName
  '00081090', // ManufacturerModelName
  '00180015', // BodyPartExamined
  '00181030', // ProtocolName
  '0020000D', // StudyInstanceUID
  '0020000E', // SeriesInstanceUID
  '00200011', // SeriesNumber
  '00200060', // Laterality
  '00400244', // PerformedProcedureStepStartDate
  '00400245', // PerformedProcedureStepStartTime
  '00400275', // RequestAttributesSequence
]);

/** PS3.18 Table 10.6.3-3: attributes returned for every study, series, instance. */
export const DEFAULT_RETURN = {
  study: [
    '00080005', '00080020', '00080030', '00080050', '00080056', '00080061', '00080090', '00080201',
    '00081030', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010', '00201206', '00201208',
  ],
  series: [
    '00080005', '00080056', '00080060', '00080201', '0008103E', '0020000D', '0020000E', '00200011', '00201209',
    '00400244', '00400245', '00400275',
  ],
  instance: [
    '00080005', '00080016', '00080018', '00080056', '00080201', '0020000D', '0020000E', '00200013', '00280010',
    '00280011', '00280100', '00280008',
  ],
} as const;

export function pickAttributes<T extends Record<string, unknown>>(dataset: T, tags: Set<string>): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const tag of Object.keys(dataset)) if (tags.has(tag)) out[tag] = dataset[tag];
  return out as Partial<T>;
}
