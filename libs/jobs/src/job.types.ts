/** A job's life: created → active → completed, or → retry (backoff) → active …, or → failed after its last attempt; cancelled by an admin. */
export const JOB_STATES = ['created', 'active', 'retry', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job to queue. */
export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  /** Jobs with one key (a destination AE title) run in the order they were queued, one batch at a time. */
  orderingKey?: string | null;
  /** Not run before this many seconds from now. */
  delaySeconds?: number;
  /** Attempts before the job fails for good; PACS_JOBS_MAX_ATTEMPTS when left out. */
  maxAttempts?: number;
}

/** A job held by this node (its lease) while its handler runs. */
export interface ClaimedJob {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  orderingKey: string | null;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
}

/**
 * Runs the jobs of one type. `run` gets a batch (jobs of one ordering key, in queue order; one
 * job when batchSize is 1) and answers for each, in order, undefined when it is done or the Error
 * it failed with (the job is retried with backoff until its attempts are spent). A throw fails
 * the whole batch.
 */
export interface JobHandler {
  type: string;
  batchSize?: number;
  run(jobs: ClaimedJob[]): Promise<(Error | undefined)[]>;
}

/** A job as GET /api/jobs shows it. */
export interface JobRecord {
  id: string;
  type: string;
  state: JobState;
  payload: Record<string, unknown>;
  orderingKey: string | null;
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

/** Statements run in a caller's transaction (the index commit: IndexTransaction of @pacs/index). */
export interface JobTransaction {
  query(text: string, values: unknown[]): Promise<Record<string, unknown>[]>;
}
