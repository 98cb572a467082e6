import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';

/** PS3.5 9.1: digits and dots, no leading zero in a component, 64 characters at most. */
const UID = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;

/** GET /api/rejections: newest first, offset pages. */
export class RejectionsQueryDto {
  @ApiPropertyOptional({ description: 'Only the rejected instances of this study (Study Instance UID)' })
  @IsOptional()
  @MaxLength(64)
  @Matches(UID, { message: 'studyUid must be a UID (digits and dots)' })
  studyUid?: string;

  @ApiPropertyOptional({ description: 'Page size, 1-1000 (default 100)', minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Rows to skip (default 0)', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}
