import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { OUTCOMES } from '../audit-codes';

/** Filters of GET /api/audit and /api/audit/export; all are ANDed. */
export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Events at or after this time (ISO 8601)', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ description: 'Events at or before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ description: 'User name or calling AE title, exact' })
  @IsOptional()
  @IsString()
  actor?: string;

  @ApiPropertyOptional({ description: 'Patient ID (0010,0020), exact' })
  @IsOptional()
  @IsString()
  patientId?: string;

  @ApiPropertyOptional({ description: 'Study Instance UID among the event\'s studies' })
  @IsOptional()
  @IsString()
  studyUid?: string;

  @ApiPropertyOptional({ description: 'Event ID (PS3.15 A.5, PS3.16 CID 400), e.g. 110104', example: '110103' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'action must be a six-digit DCM event ID such as 110103' })
  action?: string;

  @ApiPropertyOptional({ description: 'EventOutcomeIndicator (PS3.15 A.5.1)', enum: OUTCOMES })
  @IsOptional()
  @Type(() => Number)
  @IsIn(OUTCOMES, { message: 'outcome must be 0, 4, 8 or 12' })
  outcome?: number;

  @ApiPropertyOptional({ description: 'PACS_NODE_ID of the node that recorded the event, exact', example: 'pacs-a' })
  @IsOptional()
  @IsString()
  source?: string;
}

export class AuditPageQueryDto extends AuditQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor must be a nextCursor value' })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Events per page (1-1000, default 100)', default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditExportQueryDto extends AuditQueryDto {
  @ApiPropertyOptional({ description: 'csv or ndjson; without it the Accept header decides (text/csv or application/x-ndjson), else NDJSON', enum: ['csv', 'ndjson'] })
  @IsOptional()
  @IsIn(['csv', 'ndjson'])
  format?: 'csv' | 'ndjson';
}
