import { Injectable } from '@nestjs/common';
import type { IndexTransaction, IngestCommitCompanion, IngestOutcome, IngestSource } from '@pacs/index';
import { JobQueue, NewJob } from '@pacs/jobs';
import { destinationsOf } from './routing-rule';
import { RoutingRulesService } from './routing-rules.service';

/** The job type of one instance to send to one destination. */
export const FORWARD_JOB = 'forward';

/**
 * Queues the forwards of each stored instance in the transaction that indexes it (an
 * IngestCommitCompanion): once the instance is acknowledged its forwards exist, and a crash
 * before the commit loses neither alone. One job per destination, ordered by destination.
 */
@Injectable()
export class ForwardJobsCompanion implements IngestCommitCompanion<NewJob[]> {
  constructor(
    private readonly rules: RoutingRulesService,
    private readonly queue: JobQueue,
  ) {}

  payload(instance: IngestOutcome, source: IngestSource): NewJob[] | undefined {
    const rules = this.rules.cached();
    if (rules.length === 0) return undefined;
    const destinations = destinationsOf(rules, {
      callingAe: source.channel === 'dimse' ? (source.actor ?? null) : null,
      modality: instance.modality ?? null,
      sopClassUid: instance.sopClassUid,
      studyDescription: instance.studyDescription ?? null,
    });
    if (destinations.length === 0) return undefined;
    return destinations.map((d) => ({
      type: FORWARD_JOB,
      orderingKey: d.aeTitle,
      delaySeconds: d.delaySeconds,
      payload: { sopInstanceUid: instance.sopInstanceUid, studyUid: instance.studyUid, rules: d.rules },
    }));
  }

  write(tx: IndexTransaction, payloads: NewJob[][]): Promise<void> {
    return this.queue.enqueueIn(tx, payloads.flat());
  }

  committed(): void {
    // The insert announced the jobs (NOTIFY at commit): the nodes wake by themselves.
  }
}
