import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsAeTitle, IsCodeString, IsDicomDate } from '../dicom-validators';
import { WORKLIST_STATUSES } from '../worklist-item.entity';

/** GET /api/worklist filters: all optional, combined with AND, on the scheduled steps' fields. */
export class WorklistQueryDto {
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

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
