import { Injectable, Logger } from '@nestjs/common';
import type { RejectedInstance } from '@pacs/index';
import { JobQueue } from '@pacs/jobs';
import type { StudyCompleteEvent } from '@pacs/mpps';
import { WebhooksService } from './webhooks.service';

/**
 * Queues study.complete (MPPS completeness, @pacs/mpps) and instance.rejected (IHE IOCM
 * Rejection Note, @pacs/index) once their change has committed; the change and its event are
 * two statements, so a crash between them loses the event (logged when the insert fails).
 */
@Injectable()
export class StudyEvents {
  private readonly log = new Logger('Webhooks');

  constructor(
    private readonly webhooks: WebhooksService,
    private readonly queue: JobQueue,
  ) {}

  studyComplete(event: StudyCompleteEvent): void {
    if (!this.webhooks.wanted('study.complete')) return;
    const jobs = this.webhooks.jobsFor({ event: 'study.complete', time: event.completedAt.toISOString(), studyUid: event.studyUid });
    void this.queue.enqueue(jobs).catch((err: Error) => this.log.error({ studyUid: event.studyUid, err: err.message }, 'study.complete not queued'));
  }

  /** One event per study (and webhook) naming the instances of it that one Rejection Note hid. */
  async instancesRejected(rejected: RejectedInstance[]): Promise<void> {
    if (!this.webhooks.wanted('instance.rejected')) return;
    const byStudy = new Map<string, RejectedInstance[]>();
    for (const r of rejected) byStudy.set(r.studyUid, [...(byStudy.get(r.studyUid) ?? []), r]);
    const jobs = [...byStudy.values()].flatMap((instances) => {
      const [first] = instances;
      return this.webhooks.jobsFor({
        event: 'instance.rejected',
        time: first.rejectedAt,
        studyUid: first.studyUid,
        patientId: first.patientId,
        instances: instances.map((i) => ({ seriesUid: i.seriesUid, sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid })),
        reason: { code: first.reasonCode, meaning: first.reasonMeaning },
      });
    });
    await this.queue.enqueue(jobs);
  }
}
