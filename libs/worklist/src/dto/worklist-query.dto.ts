import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsAeTitle } from '@pacs/dicom';
import { IsCodeString, IsDicomDate } from '../dicom-validators';
import { WORKLIST_STATUSES } from '../worklist-item.entity';
import { PageQueryDto } from './page-query.dto';

/** GET /api/worklist filters: all optional, combined with AND, on the scheduled steps' fields. */
export class WorklistQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Steps starting on or after this date (YYYYMMDD)', example: '20261124' })
  @IsOptional()
  @IsDicomDate()
  dateFrom?: string;

  @ApiPropertyOptional({ description: 'Steps starting on or before this date (YYYYMMDD)', example: '20261130' })
  @IsOptional()
  @IsDicomDate()
  dateTo?: string;

  @ApiPropertyOptional({ example: 'CT' })
  @IsOptional()
  @IsCodeString()
  modality?: string;

  @ApiPropertyOptional({ example: 'CT1' })
  @IsOptional()
  @IsAeTitle()
  stationAeTitle?: string;

  @ApiPropertyOptional({ enum: WORKLIST_STATUSES })
  @IsOptional()
  @IsIn(WORKLIST_STATUSES, { message: `status must be one of: ${WORKLIST_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ example: 'P1' })
  @IsOptional()
  @IsString()
  patientId?: string;

  @ApiPropertyOptional({ example: 'A1' })
  @IsOptional()
  @IsString()
  accessionNumber?: string;
}
