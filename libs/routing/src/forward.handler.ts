import { Injectable, Logger } from '@nestjs/common';
import { AuditAction, AuditOutcome, AuditService } from '@pacs/audit';
import { PacsConfig } from '@pacs/config';
import { ForwardOutcome, ForwardUnreachable, StoreScu } from '@pacs/dimse';
import type { ClaimedJob, JobHandler } from '@pacs/jobs';
import { FORWARD_JOB } from './forward-jobs.companion';

/**
 * Runs forward jobs: a batch is the next queued instances of one destination (the jobs'
 * ordering key), sent in queue order over one association by C-STORE (StoreScu). An instance
 * the destination refused, or a destination that cannot be reached, fails its jobs, retried with
 * backoff; an instance deleted since is done. Each batch is audited as DICOM Instances
 * Transferred (PS3.15 A.5.3.4, 110104) with its outcome for the destination.
 */
@Injectable()
export class ForwardHandler implements JobHandler {
  readonly type = FORWARD_JOB;
  readonly batchSize: number;
  private readonly log = new Logger('Forward');

  constructor(
    private readonly scu: StoreScu,
    private readonly audit: AuditService,
    private readonly config: PacsConfig,
  ) {
    this.batchSize = config.routing.batchSize;
  }

  async run(jobs: ClaimedJob[]): Promise<(Error | undefined)[]> {
    const destination = jobs[0].orderingKey!;
    const uids = jobs.map((j) => String(j.payload.sopInstanceUid));
    let outcome: ForwardOutcome;
    try {
      outcome = await this.scu.send(destination, uids);
    } catch (err) {
      const reason = err instanceof ForwardUnreachable ? err.message : `forward failed: ${(err as Error).message}`;
      await this.record(destination, jobs, { sent: [], failed: uids, missing: [], studyUids: studiesOf(jobs) }, reason);
      return jobs.map(() => new Error(reason));
    }
    await this.record(destination, jobs, outcome);
    const failed = new Set(outcome.failed);
    return uids.map((uid) => (failed.has(uid) ? new Error(`${destination} did not store ${uid}`) : undefined));
  }

  private async record(destination: string, jobs: ClaimedJob[], outcome: ForwardOutcome, reason?: string): Promise<void> {
    const { sent, failed, missing } = outcome;
    this.log.log({ destinationAe: destination, sent: sent.length, failed: failed.length, missing: missing.length, reason }, 'forward batch');
    if (sent.length === 0 && failed.length === 0) return;
    await this.audit
      .record({
        actor: this.config.dimse.aeTitle,
        actorType: 'system',
        action: AuditAction.InstancesTransferred,
        actionCode: 'R',
        outcome: failed.length === 0 ? AuditOutcome.Success : sent.length === 0 ? AuditOutcome.SeriousFailure : AuditOutcome.MinorFailure,
        studyUids: outcome.studyUids,
        details: { service: 'forward', destination, sent: sent.length, failed: failed.length, rules: [...new Set(jobs.flatMap((j) => j.payload.rules as string[]))], reason },
      })
      .catch((err: Error) => this.log.error({ destinationAe: destination, err: err.message }, 'forward not audited'));
  }
}

function studiesOf(jobs: ClaimedJob[]): string[] {
  return [...new Set(jobs.map((j) => String(j.payload.studyUid)))];
}
