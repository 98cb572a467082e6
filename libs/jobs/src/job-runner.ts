import { retryDelayMs } from './backoff';
import type { ClaimedJob, JobHandler } from './job.types';
import type { JobsRepository } from './jobs.repository';

export interface RunnerSettings {
  pollMs: number;
  concurrency: number;
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  keepHours: number;
}

type Log = { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

/** Completed jobs are pruned at most this often (by each node). */
const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * This node's share of the queue: `concurrency` loops, each claiming the next due batch of a
 * registered type, running its handler while renewing the lease, and recording each job's
 * outcome. An idle loop sleeps for the poll interval or until woken (a job was queued).
 */
export class JobRunner {
  private stopped = true;
  private readonly sleepers = new Set<() => void>();
  private loops: Promise<void>[] = [];
  private lastPrune = 0;

  constructor(
    private readonly repo: Pick<JobsRepository, 'claim' | 'renew' | 'complete' | 'fail' | 'prune'>,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly worker: string,
    private readonly settings: RunnerSettings,
    private readonly log: Log,
  ) {}

  start(): void {
    if (!this.stopped || this.handlers.size === 0) return;
    this.stopped = false;
    this.loops = Array.from({ length: this.settings.concurrency }, () => this.loop());
  }

  /** Wakes the idle loops: jobs were queued. */
  wake(): void {
    for (const wake of this.sleepers) wake();
  }

  /** Claims no more; waits for the batches running now. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let ran = false;
      try {
        await this.pruneNow();
        ran = await this.runOnce();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'job queue: claim failed');
      }
      if (!ran) await this.sleep();
    }
  }

  /** Claims and runs one batch; false when nothing was due. */
  async runOnce(): Promise<boolean> {
    const batch = await this.repo.claim([...this.handlers.keys()], (type) => this.handlers.get(type)?.batchSize ?? 1, this.worker, this.settings.leaseMs);
    if (batch.length === 0) return false;
    const ids = batch.map((j) => j.id);
    const renewal = setInterval(() => {
      this.repo.renew(ids, this.worker, this.settings.leaseMs).catch((err: Error) => this.log.warn({ err: err.message, jobs: ids }, 'job lease not renewed'));
    }, Math.max(1000, Math.floor(this.settings.leaseMs / 3)));
    try {
      await this.record(batch, await this.outcomes(batch));
    } finally {
      clearInterval(renewal);
    }
    return true;
  }

  private async outcomes(batch: ClaimedJob[]): Promise<(Error | undefined)[]> {
    try {
      const outcomes = await this.handlers.get(batch[0].type)!.run(batch);
      return batch.map((_, n) => outcomes[n]);
    } catch (err) {
      return batch.map(() => (err instanceof Error ? err : new Error(String(err))));
    }
  }

  private async record(batch: ClaimedJob[], outcomes: (Error | undefined)[]): Promise<void> {
    await this.repo.complete(
      batch.filter((_, n) => outcomes[n] === undefined).map((j) => j.id),
      this.worker,
    );
    for (const [n, job] of batch.entries()) {
      const err = outcomes[n];
      if (!err) continue;
      const delay = retryDelayMs(job.attempt, this.settings.retryBaseMs, this.settings.retryMaxMs);
      this.log.warn({ jobId: job.id, type: job.type, orderingKey: job.orderingKey, attempt: job.attempt, err: err.message }, job.attempt >= job.maxAttempts ? 'job failed for good' : 'job failed; will retry');
      await this.repo.fail(job.id, this.worker, err.message, delay);
    }
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = Date.now();
    await this.repo.prune(this.settings.keepHours);
  }

  private sleep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.settings.pollMs);
      this.sleepers.add(done);
    });
  }
}
