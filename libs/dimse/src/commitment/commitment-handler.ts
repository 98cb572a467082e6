import type { Logger } from '@nestjs/common';
import type { PacsMetrics } from '@pacs/metrics';
import { requests, responses } from 'dcmjs-dimse';
import type { AePolicy } from '../association/ae-policy';
import type { PendingCommitment } from './commitment-ledger';
import type { CommitmentResults, ReportHere } from './commitment-results';
import { DimseCaller, DimseFailure } from '../providers/dimse-providers';
import { DimseStatus } from '@pacs/errors';
import { errorComment } from '../dimse-status';
import type { ReportDestination } from './event-report-association';
import { CommitmentRequest, parseCommitmentRequest, REQUEST_STORAGE_COMMITMENT, STORAGE_COMMITMENT_SOP_INSTANCE } from './storage-commitment';

export interface CommitmentDependencies {
  policy: Pick<AePolicy, 'mayUse'>;
  /** Records accepted requests and delivers their results, again until delivered. */
  results: Pick<CommitmentResults, 'record' | 'deliver'>;
  /** Registered peers with host and port, where a report can go on a new association. */
  destinations: { find(aeTitle: string): ReportDestination | undefined };
  /** Counts each refusal (/metrics); results count their own outcomes. */
  metrics?: Pick<PacsMetrics, 'storageCommitments'>;
}

/** What the association the N-ACTION came on offers. */
export interface CommitmentRequester {
  caller(): DimseCaller;
  /**
   * Sends an N-EVENT-REPORT on this association and resolves with the response status;
   * undefined when the association is closed or being released, rejects when it closes first.
   */
  reportHere: ReportHere;
}

type Log = Pick<Logger, 'log' | 'warn'>;

/** The N-ACTION-RSP, and what to run once it has been sent. */
export interface CommitmentAnswer {
  response: responses.NActionResponse;
  afterResponse?: () => void;
}

/**
 * Storage Commitment Push Model SCP (PS3.4 J.3) of one association. The N-ACTION is answered as
 * soon as the request is recorded; the result follows as an N-EVENT-REPORT (CommitmentResults).
 */
export class CommitmentHandler {
  constructor(
    private readonly deps: CommitmentDependencies,
    private readonly requester: CommitmentRequester,
    private readonly logger: Log,
  ) {}

  /** N-ACTION (PS3.4 J.3.2, PS3.7 10.1.4): a failure status with a comment, or Success and the report to follow. */
  async action(request: requests.NActionRequest): Promise<CommitmentAnswer> {
    const response = responses.NActionResponse.fromRequest(request);
    const caller = this.requester.caller();
    try {
      const pending = await this.record(this.accept(request, caller), caller.callingAe);
      response.setStatus(DimseStatus.Success);
      this.logger.log({ msg: 'storage commitment requested', callingAe: caller.callingAe, transactionUid: pending.transactionUid, instances: pending.references.length });
      return { response, afterResponse: () => void this.deps.results.deliver(pending, (rq) => this.requester.reportHere(rq)) };
    } catch (err) {
      const failure = err instanceof DimseFailure ? err : new DimseFailure(DimseStatus.ProcessingFailure, 'processing failure');
      this.logger.warn({ msg: 'storage commitment refused', callingAe: caller.callingAe, status: failure.status, reason: failure.message });
      this.deps.metrics?.storageCommitments.inc({ outcome: 'refused' });
      response.setStatus(failure.status);
      response.setErrorComment(errorComment(failure.message));
      return { response };
    }
  }

  private accept(request: requests.NActionRequest, caller: DimseCaller): CommitmentRequest {
    if (!this.deps.policy.mayUse(caller.callingAe, 'store')) throw new DimseFailure(DimseStatus.RefusedNotAuthorized, `${caller.callingAe} may not use store`);
    if (request.getRequestedSopInstanceUid() !== STORAGE_COMMITMENT_SOP_INSTANCE) {
      throw new DimseFailure(DimseStatus.NoSuchObjectInstance, `Requested SOP Instance must be ${STORAGE_COMMITMENT_SOP_INSTANCE}`);
    }
    if (request.getActionTypeId() !== REQUEST_STORAGE_COMMITMENT) throw new DimseFailure(DimseStatus.NoSuchAction, `no action type ${request.getActionTypeId()}`);
    const commitment = parseCommitmentRequest(request.getDataset()?.getElements() ?? {});
    // Without an open association or an address, a result could never be delivered (PS3.4 J.3.3).
    if (!this.deps.destinations.find(caller.callingAe)) this.logger.warn({ msg: 'storage commitment: no address registered; the result can only go on this association', callingAe: caller.callingAe });
    return commitment;
  }

  /** Success is answered only once the request is durable: the result must survive a restart. */
  private async record(commitment: CommitmentRequest, callingAe: string): Promise<PendingCommitment> {
    try {
      return await this.deps.results.record(commitment, callingAe);
    } catch (err) {
      this.logger.warn({ msg: 'storage commitment could not be recorded', callingAe, transactionUid: commitment.transactionUid, err: (err as Error).message });
      throw new DimseFailure(DimseStatus.ProcessingFailure, 'the request could not be recorded; try again');
    }
  }
}
