import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited, RequirePermission } from '@pacs/auth';
import { JobPage, JobQueryDto, JobView } from './dto/job.dto';
import { JobQueue } from './job-queue.service';

/** The job queue (forwarding and other background work) for administrators. */
@ApiTags('jobs')
@Controller('api/jobs')
@RequirePermission('admin')
export class JobsController {
  constructor(private readonly queue: JobQueue) {}

  @Get()
  @ApiOperation({ summary: 'List jobs, newest first, by state and type' })
  @ApiOkResponse({ type: JobPage })
  @ApiBadRequestResponse({ description: 'Unknown state, or a bad limit or offset' })
  list(@Query() q: JobQueryDto): Promise<JobPage> {
    return this.queue.list({ state: q.state, type: q.type, limit: q.limit ?? 100, offset: q.offset ?? 0 });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one job' })
  @ApiOkResponse({ type: JobView })
  @ApiNotFoundResponse({ description: 'No such job' })
  get(@Param('id') id: string): Promise<JobView> {
    return this.queue.get(id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Audited('network-configuration', 'U')
  @ApiOperation({ summary: 'Run a failed, cancelled or waiting job again now, with all its attempts' })
  @ApiOkResponse({ type: JobView })
  @ApiNotFoundResponse({ description: 'No such job' })
  @ApiConflictResponse({ description: 'The job is running or completed' })
  retry(@Param('id') id: string): Promise<JobView> {
    return this.queue.retry(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audited('network-configuration', 'D')
  @ApiOperation({ summary: 'Cancel a job that has not ended (a running one\'s outcome is then ignored); remove one that has' })
  @ApiNoContentResponse({ description: 'Cancelled or removed' })
  @ApiNotFoundResponse({ description: 'No such job' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.queue.remove(id);
  }
}
