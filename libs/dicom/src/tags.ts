import { data } from 'dcmjs';

/** Tags used across the server, as 8 uppercase hex digits (the DICOM JSON key form, PS3.18 F.2). */
export const Tag = {
  TransferSyntaxUID: '00020010',
  MediaStorageSOPClassUID: '00020002',
  MediaStorageSOPInstanceUID: '00020003',
  ImplementationClassUID: '00020012',
  ImplementationVersionName: '00020013',
  SourceApplicationEntityTitle: '00020016',
  SpecificCharacterSet: '00080005',
  ImageType: '00080008',
  InstanceCreationDate: '00080012',
  InstanceCreationTime: '00080013',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  SeriesDate: '00080021',
  ContentDate: '00080023',
  AcquisitionDateTime: '0008002A',
  StudyTime: '00080030',
  SeriesTime: '00080031',
  ContentTime: '00080033',
  AccessionNumber: '00080050',
  QueryRetrieveLevel: '00080052',
  RetrieveAETitle: '00080054',
  InstanceAvailability: '00080056',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  SOPClassesInStudy: '00080062',
  Manufacturer: '00080070',
  InstitutionName: '00080080',
  ReferringPhysicianName: '00080090',
  TimezoneOffsetFromUTC: '00080201',
  StationName: '00081010',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PerformingPhysicianName: '00081050',
  ManufacturerModelName: '00081090',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  RetrieveURL: '00081190',
  FailureReason: '00081197',
  PatientName: '00100010',
  PatientID: '00100020',
  IssuerOfPatientID: '00100021',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  PatientAge: '00101010',
  OtherPatientIDs: '00101000',
  BodyPartExamined: '00180015',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  StudyID: '00200010',
  SeriesNumber: '00200011',
  AcquisitionNumber: '00200012',
  InstanceNumber: '00200013',
  FrameOfReferenceUID: '00200052',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  SamplesPerPixel: '00280002',
  PhotometricInterpretation: '00280004',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  BitsAllocated: '00280100',
  BitsStored: '00280101',
  HighBit: '00280102',
  PixelRepresentation: '00280103',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
  RescaleIntercept: '00281052',
  RescaleSlope: '00281053',
  RequestedProcedureID: '00401001',
  ScheduledProcedureStepSequence: '00400100',
  ScheduledStationAETitle: '00400001',
  ScheduledProcedureStepStartDate: '00400002',
  ScheduledProcedureStepStartTime: '00400003',
  ScheduledProcedureStepID: '00400009',
  PerformedProcedureStepStatus: '00400252',
  PixelData: '7FE00010',
} as const;

const HEX_TAG = /^[0-9A-Fa-f]{8}$/;

/** Tag for a dictionary keyword (PS3.6), or the normalized tag when given an 8-hex tag. */
export function keywordToTag(keyword: string): string | undefined {
  if (HEX_TAG.test(keyword)) return keyword.toUpperCase();
  const entry = data.DicomMetaDictionary.nameMap[keyword];
  return entry ? entry.tag.replace(/[(),]/g, '').toUpperCase() : undefined;
}

/** Dictionary keyword (PS3.6) for an 8-hex tag; a keyword given is returned when it is known. */
export function tagToKeyword(tag: string): string | undefined {
  if (!HEX_TAG.test(tag)) return data.DicomMetaDictionary.nameMap[tag]?.name;
  const upper = tag.toUpperCase();
  return data.DicomMetaDictionary.dictionary[`(${upper.slice(0, 4)},${upper.slice(4)})`]?.name;
}
