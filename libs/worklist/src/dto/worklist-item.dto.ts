import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsAeTitle } from '@pacs/dicom';
import { IsCodeString, IsDicomDate, IsDicomTime, IsDicomUid, IsPersonName } from '../dicom-validators';

/** SH and LO VRs (PS3.5 6.2): no backslash or control characters. */
const NO_BACKSLASH = /^[^\\\x00-\x1f\x7f]*$/;
const text = (property: string, max: number) => [
  IsString(),
  MaxLength(max, { message: `${property} must be at most ${max} characters` }),
  Matches(NO_BACKSLASH, { message: `${property} must not contain a backslash or control characters` }),
];
const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));

export class CodeDto {
  @ApiProperty({ description: 'Code Value (0008,0100)', example: 'CTCHEST' })
  @apply(text('code value', 16))
  value: string;

  @ApiProperty({ description: 'Coding Scheme Designator (0008,0102)', example: 'L' })
  @apply(text('coding scheme', 16))
  scheme: string;

  @ApiProperty({ description: 'Code Meaning (0008,0104)', example: 'CT chest' })
  @apply(text('code meaning', 64))
  meaning: string;
}

export class PatientDto {
  @ApiProperty({ description: "Patient's Name (PN, family^given^middle^prefix^suffix)", example: 'DOE^JANE' })
  @IsPersonName()
  name: string;

  @ApiProperty({ description: 'Patient ID (LO)', example: 'P1', maxLength: 64 })
  @apply(text('patient.id', 64))
  @Matches(/\S/, { message: 'patient.id must not be empty' })
  id: string;

  @ApiPropertyOptional({ description: 'Issuer of Patient ID (LO)', example: 'HOSP' })
  @IsOptional()
  @apply(text('patient.issuer', 64))
  issuer?: string;

  @ApiPropertyOptional({ description: "Patient's Birth Date (DA)", example: '19800101' })
  @IsOptional()
  @IsDicomDate()
  birthDate?: string;

  @ApiPropertyOptional({ description: "Patient's Sex", enum: ['M', 'F', 'O'], example: 'F' })
  @IsOptional()
  @IsIn(['M', 'F', 'O'], { message: 'patient.sex must be M, F or O' })
  sex?: string;
}

export class RequestedProcedureDto {
  @ApiProperty({ description: 'Requested Procedure ID (SH)', example: 'RP1', maxLength: 16 })
  @apply(text('requestedProcedure.id', 16))
  @Matches(/\S/, { message: 'requestedProcedure.id must not be empty' })
  id: string;

  @ApiPropertyOptional({ description: 'Requested Procedure Description (LO)', example: 'CT CHEST' })
  @IsOptional()
  @apply(text('requestedProcedure.description', 64))
  description?: string;

  @ApiPropertyOptional({ type: CodeDto, description: 'Requested Procedure Code Sequence (0032,1064)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CodeDto)
  code?: CodeDto;
}

export class ScheduledStepDto {
  @ApiProperty({ description: 'Scheduled Procedure Step ID (SH)', example: 'SPS1', maxLength: 16 })
  @apply(text('scheduledSteps.id', 16))
  @Matches(/\S/, { message: 'scheduledSteps.id must not be empty' })
  id: string;

  @ApiProperty({ description: 'Modality (CS)', example: 'CT' })
  @IsCodeString()
  modality: string;

  @ApiProperty({ description: 'Scheduled Station AE Title', example: 'CT1' })
  @IsAeTitle()
  stationAeTitle: string;

  @ApiPropertyOptional({ description: 'Scheduled Station Name (SH)', example: 'CT ROOM 1' })
  @IsOptional()
  @apply(text('scheduledSteps.stationName', 16))
  stationName?: string;

  @ApiProperty({ description: 'Scheduled Procedure Step Start Date (DA)', example: '20261124' })
  @IsDicomDate()
  startDate: string;

  @ApiProperty({ description: 'Scheduled Procedure Step Start Time (TM)', example: '0900' })
  @IsDicomTime()
  startTime: string;

  @ApiPropertyOptional({ description: 'Scheduled Procedure Step Description (LO)', example: 'CT CHEST W/O' })
  @IsOptional()
  @apply(text('scheduledSteps.description', 64))
  description?: string;

  @ApiPropertyOptional({ description: "Scheduled Performing Physician's Name (PN)", example: 'SMITH^JOHN' })
  @IsOptional()
  @IsPersonName()
  performingPhysician?: string;

  @ApiPropertyOptional({ type: CodeDto, isArray: true, description: 'Scheduled Protocol Code Sequence (0040,0008)' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CodeDto)
  protocolCodes?: CodeDto[];
}

/** POST /api/worklist and PUT /api/worklist/:id. */
export class WorklistItemDto {
  @ApiProperty({ type: PatientDto })
  @ValidateNested()
  @Type(() => PatientDto)
  patient: PatientDto;

  @ApiProperty({ description: 'Accession Number (SH), unique per issuer', example: 'A1', maxLength: 16 })
  @apply(text('accessionNumber', 16))
  @Matches(/\S/, { message: 'accessionNumber must not be empty' })
  accessionNumber: string;

  @ApiPropertyOptional({ description: 'Issuer of Accession Number (LO, Local Namespace Entity ID)', example: 'RIS' })
  @IsOptional()
  @apply(text('accessionIssuer', 64))
  accessionIssuer?: string;

  @ApiProperty({ type: RequestedProcedureDto })
  @ValidateNested()
  @Type(() => RequestedProcedureDto)
  requestedProcedure: RequestedProcedureDto;

  @ApiPropertyOptional({ description: "Referring Physician's Name (PN)", example: 'WELBY^MARCUS' })
  @IsOptional()
  @IsPersonName()
  referringPhysician?: string;

  @ApiPropertyOptional({ description: 'Study Instance UID; generated when absent', example: '1.2.826.0.1.3680043.8.498.1' })
  @IsOptional()
  @IsDicomUid()
  studyInstanceUid?: string;

  @ApiProperty({ type: ScheduledStepDto, isArray: true, minItems: 1 })
  @IsArray()
  @ArrayMinSize(1, { message: 'scheduledSteps must hold at least one step' })
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => ScheduledStepDto)
  scheduledSteps: ScheduledStepDto[];
}
