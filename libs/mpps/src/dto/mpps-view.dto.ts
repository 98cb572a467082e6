import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '@pacs/worklist';
import { PPS_STATUSES } from '../mpps-rules';

export class PerformedSeriesView {
  @ApiProperty({ example: '1.2.826.0.1.3680043.8.498.2' })
  seriesInstanceUid: string;

  @ApiPropertyOptional({ example: 'CHEST 1.0' })
  seriesDescription?: string;

  @ApiProperty({ type: String, isArray: true, description: 'Referenced SOP Instance UIDs (images and non-image composites)' })
  sopInstanceUids: string[];
}

export class ProcedureStepView {
  @ApiProperty({ example: '1.2.826.0.1.3680043.8.498.3' })
  sopInstanceUid: string;

  @ApiProperty({ enum: PPS_STATUSES })
  status: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  studyInstanceUid: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Linked worklist item id' })
  worklistItemId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'SPS1' })
  scheduledProcedureStepId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'A1', description: 'Accession Number of the Scheduled Step Attributes' })
  accessionNumber: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'PPS1' })
  performedProcedureStepId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'CT1' })
  performedStationAeTitle: string | null;

  @ApiProperty({ type: PerformedSeriesView, isArray: true })
  performedSeries: PerformedSeriesView[];

  @ApiProperty({ description: 'Every referenced instance is stored (COMPLETED steps)' })
  imagesComplete: boolean;

  @ApiProperty({ example: '2026-11-24T09:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-24T09:20:00.000Z' })
  updatedAt: string;
}

export class ProcedureStepPage {
  @ApiProperty({ type: ProcedureStepView, isArray: true })
  items: ProcedureStepView[];

  @ApiProperty()
  total: number;
}

export class MppsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PPS_STATUSES })
  @IsOptional()
  @IsIn(PPS_STATUSES, { message: `status must be one of: ${PPS_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  studyUid?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true: steps linked to a worklist item; false: unscheduled or mismatched steps, to reconcile' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'linked must be true or false' })
  linked?: boolean;
}

export class StudyCompletenessView {
  @ApiProperty({ example: '1.2.826.0.1.3680043.8.498.1' })
  studyInstanceUid: string;

  @ApiProperty({ description: 'A COMPLETED procedure step exists, none is IN PROGRESS, and every referenced instance is stored' })
  complete: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-11-24T09:21:00.000Z' })
  completedAt: string | null;

  @ApiProperty({ type: ProcedureStepView, isArray: true })
  procedureSteps: ProcedureStepView[];
}
