// Public API of @pacs/jobs: the durable job queue.
export { JobsModule } from './jobs.module';
export { JobQueue } from './job-queue.service';
export { JOB_STATES } from './job.types';
export type { ClaimedJob, JobHandler, JobRecord, JobState, JobTransaction, NewJob } from './job.types';
