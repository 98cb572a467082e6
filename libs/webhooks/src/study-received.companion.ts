import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { IndexTransaction, IngestCommitCompanion, IngestOutcome } from '@pacs/index';
import { JobQueue, NewJob } from '@pacs/jobs';
import { WebhooksService } from './webhooks.service';

/** Studies remembered at most; past it, windows that have ended are forgotten first. */
const MAX_WINDOWS = 10_000;

/**
 * Queues `study.received` in the transaction that indexes a study's instance (an
 * IngestCommitCompanion of @pacs/index): once the instance is acknowledged, its event exists.
 * Debounced per study and node: once an instance's event has committed, the instances this node
 * stores of that study for PACS_WEBHOOKS_DEBOUNCE_SECONDS (the event's delay) add nothing; the
 * receiver reads the study as it is at delivery. The window opens at the commit, so an instance
 * whose commit failed leaves none open (its resend queues the event); instances committed
 * together with the first (parallel associations), another node, or an instance after the
 * window queue another event: receivers deduplicate by study, or by event id.
 */
@Injectable()
export class StudyReceivedCompanion implements IngestCommitCompanion<NewJob[]> {
  /** Study Instance UID → when its window ends (ms since the epoch). */
  private readonly windows = new Map<string, number>();

  constructor(
    private readonly webhooks: WebhooksService,
    private readonly queue: JobQueue,
    private readonly config: PacsConfig,
  ) {}

  payload(instance: IngestOutcome): NewJob[] | undefined {
    if (instance.result === 'kept-existing' || !this.webhooks.wanted('study.received')) return undefined;
    const now = Date.now();
    if ((this.windows.get(instance.studyUid) ?? 0) > now) return undefined;
    const delaySeconds = this.config.webhooks.debounceSeconds;
    const jobs = this.webhooks.jobsFor({ event: 'study.received', time: new Date(now).toISOString(), studyUid: instance.studyUid, patientId: instance.patientId ?? null });
    return jobs.map((j) => ({ ...j, delaySeconds }));
  }

  write(tx: IndexTransaction, payloads: NewJob[][]): Promise<void> {
    return this.queue.enqueueIn(tx, payloads.flat());
  }

  /** Opens the study's window. The insert announced the jobs (NOTIFY at commit): nodes wake by themselves. */
  committed(jobs: NewJob[]): void {
    const seconds = this.config.webhooks.debounceSeconds;
    if (seconds === 0 || jobs.length === 0) return;
    const now = Date.now();
    this.remember(String(jobs[0].payload.studyUid), now + seconds * 1000, now);
  }

  private remember(studyUid: string, until: number, now: number): void {
    if (this.windows.size >= MAX_WINDOWS) {
      for (const [uid, end] of this.windows) if (end <= now) this.windows.delete(uid);
      if (this.windows.size >= MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value!);
    }
    this.windows.set(studyUid, until);
  }
}
