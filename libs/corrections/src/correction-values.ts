import { Tag } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import type { AttributeOverrides, StudyRecord } from '@pacs/index';
import type { CorrectStudyDto } from './dto/correction.dto';

/** The attributes of a PATCH body, by tag; trailing spaces go (PS3.5 6.2: padding, not value). */
export function correctionValues(body: CorrectStudyDto): AttributeOverrides {
  const p = body.patient ?? {};
  const s = body.study ?? {};
  const values = defined({
    [Tag.PatientName]: p.name,
    [Tag.PatientID]: p.id,
    [Tag.IssuerOfPatientID]: p.issuerOfPatientId,
    [Tag.PatientBirthDate]: p.birthDate,
    [Tag.PatientSex]: p.sex,
    [Tag.AccessionNumber]: s.accessionNumber,
    [Tag.StudyDescription]: s.description,
    [Tag.ReferringPhysicianName]: s.referringPhysicianName,
  });
  if (Object.keys(values).length === 0) throw new DomainError('invalid-correction', 'the body names no patient or study attribute to correct');
  return values;
}

/** A patient's attributes as the index holds them (the target of a merge or a series move). */
export function patientValues(patient: StudyRecord['patient']): AttributeOverrides {
  return {
    [Tag.PatientName]: patient.name ?? '',
    [Tag.PatientID]: patient.id,
    [Tag.IssuerOfPatientID]: patient.issuer,
    [Tag.PatientBirthDate]: patient.birthDate ?? '',
    [Tag.PatientSex]: patient.sex ?? '',
  };
}

/** What an instance moved into `target` must carry: its Study Instance UID, study and patient attributes. */
export function studyValues(target: StudyRecord): AttributeOverrides {
  return {
    ...patientValues(target.patient),
    [Tag.StudyInstanceUID]: target.studyUid,
    [Tag.StudyDate]: target.study.date ?? '',
    [Tag.StudyTime]: target.study.time ?? '',
    [Tag.StudyID]: target.study.studyId ?? '',
    [Tag.AccessionNumber]: target.study.accessionNumber ?? '',
    [Tag.StudyDescription]: target.study.description ?? '',
    [Tag.ReferringPhysicianName]: target.study.referringPhysician ?? '',
  };
}

/** Whether any of these tags is a patient attribute (the audit event is then a Patient Record event). */
export function touchesPatient(values: AttributeOverrides): boolean {
  return Object.keys(values).some((tag) => tag.startsWith('0010'));
}

function defined(values: Record<string, string | undefined>): AttributeOverrides {
  const out: AttributeOverrides = {};
  for (const [tag, value] of Object.entries(values)) if (value !== undefined) out[tag] = value.replace(/ +$/, '');
  return out;
}
