import type { Logger } from '@nestjs/common';
import { TransferSyntax } from '@pacs/dicom';
import type { StoredInstance } from '@pacs/index';
import { Dataset, requests, responses } from 'dcmjs-dimse';
import type { AePolicy } from './ae-policy';
import { DimseCaller, DimseFailure } from './dimse-providers';
import { DimseStatus, errorComment } from './dimse-status';
import { ReportDestination, sendEventReport } from './event-report-association';
import {
  CommitmentRequest,
  commitmentReport,
  parseCommitmentRequest,
  REQUEST_STORAGE_COMMITMENT,
  STORAGE_COMMITMENT_SOP_CLASS,
  STORAGE_COMMITMENT_SOP_INSTANCE,
} from './storage-commitment';

export interface CommitmentDependencies {
  policy: Pick<AePolicy, 'mayUse'>;
  /** Stored instances among these SOP Instance UIDs (RetrieveService.findForRetrieve). */
  findStored(sopInstanceUids: string[]): Promise<StoredInstance[]>;
  /** A registered peer with host and port, where a report can go on a new association. */
  reportDestination(aeTitle: string): ReportDestination | undefined;
  /** Our AE title: the Retrieve AE Title of committed instances and the caller of new associations. */
  aeTitle: string;
  connectTimeoutMs: number;
  pduTimeoutMs: number;
  /** Counts each request's outcome (/metrics). */
  count?(outcome: CommitmentOutcome): void;
}

export type CommitmentOutcome = 'refused' | 'committed' | 'failures-reported' | 'undelivered';

/** What the association the N-ACTION came on offers. */
export interface CommitmentRequester {
  caller(): DimseCaller;
  /**
   * Sends an N-EVENT-REPORT on this association and resolves with the response status;
   * undefined when the association is closed or being released, rejects when it closes first.
   */
  reportHere(request: requests.NEventReportRequest): Promise<number> | undefined;
}

type Log = Pick<Logger, 'log' | 'warn'>;

/** The N-ACTION-RSP, and what to run once it has been sent. */
export interface CommitmentAnswer {
  response: responses.NActionResponse;
  afterResponse?: () => void;
}

/**
 * Storage Commitment Push Model SCP (PS3.4 J.3) of one association. The N-ACTION is answered at
 * once; the result follows as an N-EVENT-REPORT, on the same association while the SCU keeps it
 * open, otherwise on a new one to the peer's registered address.
 */
export class CommitmentHandler {
  constructor(
    private readonly deps: CommitmentDependencies,
    private readonly requester: CommitmentRequester,
    private readonly logger: Log,
  ) {}

  /** N-ACTION (PS3.4 J.3.2, PS3.7 10.1.4): a failure status with a comment, or Success and the report to follow. */
  action(request: requests.NActionRequest): CommitmentAnswer {
    const response = responses.NActionResponse.fromRequest(request);
    const caller = this.requester.caller();
    try {
      const commitment = this.accept(request, caller);
      response.setStatus(DimseStatus.Success);
      this.logger.log({ msg: 'storage commitment requested', callingAe: caller.callingAe, transactionUid: commitment.transactionUid, instances: commitment.references.length });
      return { response, afterResponse: () => void this.report(commitment, caller.callingAe) };
    } catch (err) {
      const failure = err instanceof DimseFailure ? err : new DimseFailure(DimseStatus.ProcessingFailure, 'processing failure');
      this.logger.warn({ msg: 'storage commitment refused', callingAe: caller.callingAe, status: failure.status, reason: failure.message });
      this.deps.count?.('refused');
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
    if (!this.deps.reportDestination(caller.callingAe)) this.logger.warn({ msg: 'storage commitment: no address registered; the result can only go on this association', callingAe: caller.callingAe });
    return commitment;
  }

  /** Works out the result and delivers it; every outcome is logged, none is thrown. */
  private async report(commitment: CommitmentRequest, callingAe: string): Promise<void> {
    const context = { callingAe, transactionUid: commitment.transactionUid };
    try {
      const stored = await this.deps.findStored(commitment.references.map((r) => r.sopInstanceUid));
      const report = commitmentReport(commitment, stored, this.deps.aeTitle);
      const request = () => {
        const rq = new requests.NEventReportRequest(STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, report.eventTypeId);
        rq.setDataset(new Dataset(report.attributes, TransferSyntax.ImplicitVRLittleEndian));
        return rq;
      };
      const via = await this.deliver(request, callingAe);
      this.logger.log({ msg: 'storage commitment result sent', ...context, via, committed: report.committed, failed: report.failed });
      this.deps.count?.(report.failed > 0 ? 'failures-reported' : 'committed');
    } catch (err) {
      this.logger.warn({ msg: 'storage commitment result not delivered', ...context, err: err instanceof Error ? err.message : String(err) });
      this.deps.count?.('undelivered');
    }
  }

  /** Same association first; a new one when it is gone or fails before the answer. Returns which. */
  private async deliver(request: () => requests.NEventReportRequest, callingAe: string): Promise<string> {
    const here = this.requester.reportHere(request());
    if (here) {
      const status = await here.catch(() => undefined);
      if (status !== undefined) return checked(status, 'same association');
    }
    const destination = this.deps.reportDestination(callingAe);
    if (!destination) throw new Error(`the association closed and ${callingAe} has no registered host and port`);
    const status = await sendEventReport(destination, this.deps.aeTitle, request(), this.deps);
    return checked(status, `new association to ${destination.host}:${destination.port}`);
  }
}

function checked(status: number, via: string): string {
  if (status !== DimseStatus.Success) throw new Error(`N-EVENT-REPORT answered with status 0x${status.toString(16).padStart(4, '0')} (${via})`);
  return via;
}
