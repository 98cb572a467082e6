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
 * Debounced per study and node: the first instance queues the event, delayed by
 * PACS_WEBHOOKS_DEBOUNCE_SECONDS, and the instances this node stores of that study until then
 * add nothing; the receiver reads the study as it is at delivery. Another node, or an instance
 * after the window, queues another event (receivers deduplicate by study, or by event id).
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
    if (delaySeconds > 0) this.remember(instance.studyUid, now + delaySeconds * 1000, now);
    const jobs = this.webhooks.jobsFor({ event: 'study.received', time: new Date(now).toISOString(), studyUid: instance.studyUid, patientId: instance.patientId ?? null });
    return jobs.map((j) => ({ ...j, delaySeconds }));
  }

  write(tx: IndexTransaction, payloads: NewJob[][]): Promise<void> {
    return this.queue.enqueueIn(tx, payloads.flat());
  }

  committed(): void {
    // The insert announced the jobs (NOTIFY at commit): the nodes wake by themselves.
  }

  private remember(studyUid: string, until: number, now: number): void {
    if (this.windows.size >= MAX_WINDOWS) {
      for (const [uid, end] of this.windows) if (end <= now) this.windows.delete(uid);
      if (this.windows.size >= MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value!);
    }
    this.windows.set(studyUid, until);
  }
}
