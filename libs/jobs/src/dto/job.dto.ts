import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { JOB_STATES, JobRecord, JobState } from '../job.types';

/** GET /api/jobs filters and page. */
export class JobQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATES, example: 'retry' })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;

  @ApiPropertyOptional({ description: 'Job type, e.g. forward', example: 'forward' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;

  @ApiPropertyOptional({ description: 'Jobs per page (1-1000, default 100), newest first', default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Jobs to skip', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

/** One job of the queue. */
export class JobView implements JobRecord {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ example: 'forward' })
  type: string;

  @ApiProperty({ enum: JOB_STATES, example: 'retry' })
  state: JobState;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { sopInstanceUid: '1.2.3.4', studyUid: '1.2.3', rules: ['ct-to-ai'] } })
  payload: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, description: 'Jobs with one key run in queue order (forwarding: the destination AE title)', example: 'AI_NODE' })
  orderingKey: string | null;

  @ApiProperty({ description: 'Attempts made so far', example: 3 })
  attempts: number;

  @ApiProperty({ example: 20 })
  maxAttempts: number;

  @ApiProperty({ description: 'Not run before this time', example: '2026-12-08T01:00:00.000Z' })
  runAfter: string;

  @ApiProperty({ type: String, nullable: true, description: 'Node (PACS_NODE_ID/pid) running it', example: 'pacs-a/1234' })
  lockedBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'End of the running node\'s lease' })
  lockedUntil: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'cannot associate with AI_NODE: connect ECONNREFUSED 10.0.0.5:104' })
  lastError: string | null;

  @ApiProperty()
  createdAt: string;

  @ApiProperty()
  updatedAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'When it completed, failed for good or was cancelled' })
  endedAt: string | null;
}

export class JobPage {
  @ApiProperty({ type: JobView, isArray: true })
  jobs: JobView[];

  @ApiProperty({ description: 'Jobs matching the filters', example: 3 })
  total: number;
}
