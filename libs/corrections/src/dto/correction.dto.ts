import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

/** SH, LO and PN values (PS3.5 6.2): no backslash (value separator) or control characters. */
const NO_BACKSLASH = /^[^\\\x00-\x1f\x7f]*$/;
/** PN (PS3.5 6.2.1): one alphabetic group of at most five ^-separated components, no `=`. */
const PERSON_NAME = /^[^\\=^\x00-\x1f\x7f]*(\^[^\\=^\x00-\x1f\x7f]*){0,4}$/;
const text = (max: number): PropertyDecorator => (target, key) => {
  IsString()(target, key);
  MaxLength(max, { message: `${String(key)} must be at most ${max} characters` })(target, key);
  Matches(NO_BACKSLASH, { message: `${String(key)} must not contain a backslash or control characters` })(target, key);
};
const personName: PropertyDecorator = (target, key) => {
  text(64)(target, key);
  Matches(PERSON_NAME, { message: `${String(key)} must be a DICOM person name: at most 5 ^-separated components, no = (PS3.5 6.2.1 PN)` })(target, key);
};
const date: PropertyDecorator = (target, key) => {
  IsString()(target, key);
  Matches(/^(\d{8})?$/, { message: `${String(key)} must be a DICOM date YYYYMMDD or '' (PS3.5 6.2 DA)` })(target, key);
};

/** Patient attributes to set; '' empties one (it stays present, Type 2). */
export class PatientCorrectionDto {
  @ApiPropertyOptional({ description: "Patient's Name (0010,0010), PN", example: 'DOE^JANE' })
  @IsOptional()
  @personName
  name?: string;

  @ApiPropertyOptional({ description: 'Patient ID (0010,0020), LO', example: 'P123', maxLength: 64 })
  @IsOptional()
  @text(64)
  id?: string;

  @ApiPropertyOptional({ description: 'Issuer of Patient ID (0010,0021), LO', example: 'HOSP', maxLength: 64 })
  @IsOptional()
  @text(64)
  issuerOfPatientId?: string;

  @ApiPropertyOptional({ description: "Patient's Birth Date (0010,0030), DA", example: '19800101' })
  @IsOptional()
  @date
  birthDate?: string;

  @ApiPropertyOptional({ description: "Patient's Sex (0010,0040)", enum: ['M', 'F', 'O', ''] })
  @IsOptional()
  @IsIn(['M', 'F', 'O', ''])
  sex?: string;
}

/** Study attributes to set; '' empties one. */
export class StudyCorrectionDto {
  @ApiPropertyOptional({ description: 'Accession Number (0008,0050), SH', example: 'A1001', maxLength: 16 })
  @IsOptional()
  @text(16)
  accessionNumber?: string;

  @ApiPropertyOptional({ description: 'Study Description (0008,1030), LO', maxLength: 64 })
  @IsOptional()
  @text(64)
  description?: string;

  @ApiPropertyOptional({ description: "Referring Physician's Name (0008,0090), PN", example: 'SMITH^JOHN' })
  @IsOptional()
  @personName
  referringPhysicianName?: string;
}

/** PATCH /api/studies/{study}: any subset of the patient and study attributes. */
export class CorrectStudyDto {
  @ApiPropertyOptional({ type: PatientCorrectionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PatientCorrectionDto)
  patient?: PatientCorrectionDto;

  @ApiPropertyOptional({ type: StudyCorrectionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StudyCorrectionDto)
  study?: StudyCorrectionDto;
}

/** A patient by Patient ID and Issuer of Patient ID ('' when the instances carry none). */
export class PatientKeyDto {
  @ApiProperty({ description: 'Patient ID (0010,0020)', example: 'P123' })
  @text(64)
  id: string;

  @ApiPropertyOptional({ description: "Issuer of Patient ID (0010,0021); '' or absent: none", example: 'HOSP' })
  @IsOptional()
  @text(64)
  issuer?: string;
}

export class MergePatientsDto {
  @ApiProperty({ type: PatientKeyDto, description: 'The patient whose studies move, and who then disappears' })
  @IsDefined()
  @ValidateNested()
  @Type(() => PatientKeyDto)
  from: PatientKeyDto;

  @ApiProperty({ type: PatientKeyDto, description: 'The patient who keeps the studies' })
  @IsDefined()
  @ValidateNested()
  @Type(() => PatientKeyDto)
  to: PatientKeyDto;
}

export class MoveSeriesDto {
  @ApiProperty({ description: 'Study Instance UID of the study the series moves to', example: '1.2.840.113619.2.55.3.1' })
  @IsString()
  @Matches(/^[0-9.]+$/, { message: 'toStudyUid must be a DICOM UID (PS3.5 9.1)' })
  toStudyUid: string;
}

/** The result of a correction, merge or move. */
export class CorrectionResultDto {
  @ApiProperty({ description: 'Studies whose instances were rewritten' })
  studyUids: string[];

  @ApiProperty({ description: 'Instances rewritten' })
  instancesRewritten: number;

  @ApiPropertyOptional({ description: 'Studies removed because nothing was left in them' })
  studiesRemoved?: string[];
}
