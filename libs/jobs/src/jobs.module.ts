import { Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';

/** The durable job queue on PostgreSQL; modules that queue or run jobs import it. */
@Module({
  controllers: [JobsController],
  providers: [JobsRepository, JobQueue],
  exports: [JobQueue],
})
export class JobsModule {}
