import { DicomJson, ElementValue, getPersonName, getString, Tag } from '@pacs/dicom';

/**
 * Values a correction sets on every instance of a study or series, by tag (8 hex digits);
 * '' empties the attribute.
 */
export type AttributeOverrides = Record<string, string>;

/** The attributes a correction, merge or series move may set, and their VRs (PS3.6). */
export const OVERRIDABLE: Readonly<Record<string, ElementValue['vr']>> = {
  [Tag.PatientName]: 'PN',
  [Tag.PatientID]: 'LO',
  [Tag.IssuerOfPatientID]: 'LO',
  [Tag.PatientBirthDate]: 'DA',
  [Tag.PatientSex]: 'CS',
  [Tag.AccessionNumber]: 'SH',
  [Tag.StudyDescription]: 'LO',
  [Tag.ReferringPhysicianName]: 'PN',
  [Tag.StudyInstanceUID]: 'UI',
  [Tag.StudyDate]: 'DA',
  [Tag.StudyTime]: 'TM',
  [Tag.StudyID]: 'SH',
};

/** The elements to write for these overrides. */
export function overrideElements(overrides: AttributeOverrides): ElementValue[] {
  return Object.entries(overrides).map(([tag, value]) => {
    const vr = OVERRIDABLE[tag];
    if (!vr) throw new Error(`attribute ${tag} cannot be overridden`);
    return { tag, vr, value };
  });
}

/** Whether a data set (DICOM JSON) carries a value other than the overrides say. */
export function differsFrom(dataset: DicomJson, overrides: AttributeOverrides): boolean {
  return Object.entries(overrides).some(([tag, value]) => currentValue(dataset, tag) !== value);
}

function currentValue(dataset: DicomJson, tag: string): string {
  return (OVERRIDABLE[tag] === 'PN' ? getPersonName(dataset, tag) : getString(dataset, tag)) ?? '';
}
