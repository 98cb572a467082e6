import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WORKLIST_STATUSES } from '../worklist-item.entity';
import { CodeDto, PatientDto, RequestedProcedureDto, ScheduledStepDto } from './worklist-item.dto';

export class ScheduledStepView extends ScheduledStepDto {
  @ApiProperty({ enum: WORKLIST_STATUSES, example: 'SCHEDULED', description: 'Scheduled Procedure Step Status, moved by MPPS' })
  status: string;
}

/** What the API shows of a worklist item. */
export class WorklistItemView {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty({ enum: WORKLIST_STATUSES, example: 'SCHEDULED' })
  status: string;

  @ApiProperty({ type: PatientDto })
  patient: PatientDto;

  @ApiProperty({ example: 'A1' })
  accessionNumber: string;

  @ApiPropertyOptional({ example: 'RIS' })
  accessionIssuer?: string;

  @ApiProperty({ type: RequestedProcedureDto })
  requestedProcedure: RequestedProcedureDto;

  @ApiPropertyOptional({ example: 'WELBY^MARCUS' })
  referringPhysician?: string;

  @ApiProperty({ example: '1.2.826.0.1.3680043.8.498.1' })
  studyInstanceUid: string;

  @ApiProperty({ type: ScheduledStepView, isArray: true })
  scheduledSteps: ScheduledStepView[];

  @ApiProperty({ example: '2026-11-24T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-24T08:00:00.000Z' })
  updatedAt: string;
}

export class WorklistPage {
  @ApiProperty({ type: WorklistItemView, isArray: true })
  items: WorklistItemView[];

  @ApiProperty({ example: 42, description: 'Items matching the filters, over all pages' })
  total: number;

  @ApiProperty({ example: 50 })
  limit: number;

  @ApiProperty({ example: 0 })
  offset: number;
}

export { CodeDto };
