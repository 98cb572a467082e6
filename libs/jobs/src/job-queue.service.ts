import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnModuleInit, Optional } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { ChangeNotices } from '@pacs/database';
import { DomainError } from '@pacs/errors';
import { PacsMetrics } from '@pacs/metrics';
import { JobRunner } from './job-runner';
import { JOB_STATES, JobHandler, JobRecord, JobTransaction, NewJob } from './job.types';
import { JobFilter, JOBS_CHANNEL, JobsRepository } from './jobs.repository';

/**
 * The durable job queue (README "Job queue"): modules register a handler per job type at
 * module init and queue jobs, in a transaction of their own or the caller's; every node runs
 * the due ones once they start (JobRunner), each job on one node at a time.
 */
@Injectable()
export class JobQueue implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler>();
  private readonly runner: JobRunner;

  constructor(
    private readonly repo: JobsRepository,
    private readonly config: PacsConfig,
    @Optional() private readonly notices?: ChangeNotices,
    @Optional() private readonly metrics?: PacsMetrics,
  ) {
    this.runner = new JobRunner(repo, this.handlers, `${config.nodeId}/${process.pid}`, config.jobs, this.log);
  }

  onModuleInit(): void {
    this.metrics?.labelledGauge('pacs_jobs', 'Jobs in the queue by type and state (created, active, retry, completed, failed, cancelled)', ['type', 'state'], async () =>
      (await this.repo.counts()).map((c) => ({ labels: { type: c.type, state: c.state }, value: c.count })),
    );
  }

  /** Runs the jobs of `handler.type` on this node; before the application has started. */
  register(handler: JobHandler): void {
    if (this.handlers.has(handler.type)) throw new Error(`job type ${handler.type} registered twice`);
    this.handlers.set(handler.type, handler);
  }

  /** Starts running jobs, when this process has handlers (the CLI only queues). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.handlers.size === 0) return;
    await this.notices?.listen(JOBS_CHANNEL, () => this.runner.wake());
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  /** Queues jobs in a statement of their own. */
  enqueue(jobs: NewJob[]): Promise<void> {
    return this.repo.insert(this.repo.standalone(), jobs, this.config.jobs.maxAttempts);
  }

  /** Queues jobs in the caller's transaction: they exist once it commits, and nodes wake then. */
  enqueueIn(tx: JobTransaction, jobs: NewJob[]): Promise<void> {
    return this.repo.insert(tx, jobs, this.config.jobs.maxAttempts);
  }

  list(filter: JobFilter): Promise<{ jobs: JobRecord[]; total: number }> {
    if (filter.state && !(JOB_STATES as readonly string[]).includes(filter.state)) {
      throw new DomainError('bad-query', `state must be one of ${JOB_STATES.join(', ')}`);
    }
    return this.repo.list(filter);
  }

  async get(id: string): Promise<JobRecord> {
    const job = /^\d{1,18}$/.test(id) ? await this.repo.get(id) : undefined;
    if (!job) throw notFound(id);
    return job;
  }

  /** Runs a failed, cancelled or waiting job again now, with all its attempts. */
  async retry(id: string): Promise<JobRecord> {
    const job = await this.get(id);
    const retried = await this.repo.retry(job.id);
    if (!retried) throw new DomainError('job-conflict', `job ${id} is ${job.state}: only a waiting, failed or cancelled job can be retried`);
    return retried;
  }

  /** Cancels a job that has not ended; removes one that has. */
  async remove(id: string): Promise<void> {
    const job = await this.get(id);
    if (!(await this.repo.cancel(job.id))) throw notFound(id);
  }
}

function notFound(id: string): DomainError {
  return new DomainError('job-not-found', `no job ${id}`);
}
