import type { Logger } from '@nestjs/common';
import { TransferSyntax } from '@pacs/dicom';
import type { StoredInstance } from '@pacs/index';
import { Dataset, requests } from 'dcmjs-dimse';
import type { CommitmentLedger, PendingCommitment } from './commitment-ledger';
import { DimseStatus } from '@pacs/errors';
import { ReportDestination, sendEventReport } from './event-report-association';
import { CommitmentRequest, commitmentReport, STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE } from './storage-commitment';

export type CommitmentOutcome = 'refused' | 'committed' | 'failures-reported' | 'retry-scheduled' | 'undelivered';

export interface CommitmentResultsDependencies {
  ledger: Pick<CommitmentLedger, 'add' | 'claimDue' | 'remove' | 'retryAt'>;
  /** Stored instances among these SOP Instance UIDs (RetrieveService.findForRetrieve). */
  findStored(sopInstanceUids: string[]): Promise<StoredInstance[]>;
  /** A registered peer with host and port, where a report can go on a new association. */
  reportDestination(aeTitle: string): ReportDestination | undefined;
  /** Our AE title: the Retrieve AE Title of committed instances and the caller of new associations. */
  aeTitle: string;
  connectTimeoutMs: number;
  pduTimeoutMs: number;
  /** First wait before another attempt; doubles per attempt up to MAX_RETRY_DELAY_MS. */
  retryDelayMs: number;
  /** How long after the request a result is still tried. */
  retryHours: number;
  /** Counts each outcome (/metrics). */
  count?(outcome: CommitmentOutcome): void;
  logger: Pick<Logger, 'log' | 'warn' | 'error'>;
}

/** Sends an N-EVENT-REPORT on the requesting association; undefined when that is not possible. */
export type ReportHere = (request: requests.NEventReportRequest) => Promise<number> | undefined;

const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** Results taken per look at the ledger. */
const CLAIM_BATCH = 10;
/** How often the ledger is looked at, at most. */
const MAX_POLL_MS = 10_000;

/**
 * Delivers Storage Commitment results (PS3.4 J.3.3) and keeps at it. Each accepted request is
 * recorded before its N-ACTION-RSP, so a result is never lost to a restart or an unreachable
 * modality: the first attempt goes on the requesting association when it is still open, else on
 * a new association to the peer's registered address; a failed one is tried again on a new
 * association after PACS_COMMITMENT_RETRY_DELAY_MS, doubling, for PACS_COMMITMENT_RETRY_HOURS.
 * The result is worked out afresh on each attempt, so instances stored meanwhile count.
 */
export class CommitmentResults {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(private readonly deps: CommitmentResultsDependencies) {}

  /** The request, durable, with its first attempt under way (held for the attempt's length). */
  record(request: CommitmentRequest, callingAe: string): Promise<PendingCommitment> {
    return this.deps.ledger.add(request, callingAe, this.leaseMs());
  }

  /** One attempt: `here` first when given. Every outcome is logged and counted; nothing is thrown. */
  async deliver(pending: PendingCommitment, here?: ReportHere): Promise<void> {
    const context = { callingAe: pending.callingAe, transactionUid: pending.transactionUid, attempt: pending.attempts };
    try {
      const stored = await this.deps.findStored(pending.references.map((r) => r.sopInstanceUid));
      const report = commitmentReport(pending, stored, this.deps.aeTitle);
      const request = () => {
        const rq = new requests.NEventReportRequest(STORAGE_COMMITMENT_SOP_CLASS, STORAGE_COMMITMENT_SOP_INSTANCE, report.eventTypeId);
        rq.setDataset(new Dataset(report.attributes, TransferSyntax.ImplicitVRLittleEndian));
        return rq;
      };
      const via = await this.send(request, pending.callingAe, here);
      this.deps.logger.log({ msg: 'storage commitment result sent', ...context, via, committed: report.committed, failed: report.failed });
      this.deps.count?.(report.failed > 0 ? 'failures-reported' : 'committed');
      await this.deps.ledger.remove(pending.id);
    } catch (err) {
      await this.failed(pending, err instanceof Error ? err.message : String(err)).catch((e: Error) =>
        this.deps.logger.error({ msg: 'storage commitment: could not record a failed attempt', ...context, err: e.message }),
      );
    }
  }

  /** Looks for due results every retry delay (at most every 10 s) until stop(). */
  start(): void {
    this.timer = setInterval(() => void this.poll(), Math.min(this.deps.retryDelayMs, MAX_POLL_MS));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const due = await this.deps.ledger.claimDue(CLAIM_BATCH, this.leaseMs());
      await Promise.all(due.map((pending) => this.deliver(pending)));
    } catch (err) {
      this.deps.logger.warn({ msg: 'storage commitment: pending results could not be read', err: (err as Error).message });
    } finally {
      this.polling = false;
    }
  }

  private async send(request: () => requests.NEventReportRequest, callingAe: string, here?: ReportHere): Promise<string> {
    const onThisAssociation = here?.(request());
    if (onThisAssociation) {
      const status = await onThisAssociation.catch(() => undefined);
      if (status !== undefined) return checked(status, 'same association');
    }
    const destination = this.deps.reportDestination(callingAe);
    if (!destination) throw new Error(`the association closed and ${callingAe} has no registered host and port`);
    const status = await sendEventReport(destination, this.deps.aeTitle, request(), this.deps);
    return checked(status, `new association to ${destination.host}:${destination.port}`);
  }

  private async failed(pending: PendingCommitment, error: string): Promise<void> {
    const context = { callingAe: pending.callingAe, transactionUid: pending.transactionUid, attempt: pending.attempts, err: error };
    const next = nextAttempt(pending, new Date(), this.deps);
    if (!next) {
      this.deps.logger.error({ msg: `storage commitment result not delivered; given up after ${this.deps.retryHours} h`, ...context });
      this.deps.count?.('undelivered');
      return this.deps.ledger.remove(pending.id);
    }
    this.deps.logger.warn({ msg: 'storage commitment result not delivered; will try again', ...context, nextAttemptAt: next.toISOString() });
    this.deps.count?.('retry-scheduled');
    await this.deps.ledger.retryAt(pending.id, next, error);
  }

  /** Longer than one attempt can take: connecting, then waiting for the response. */
  private leaseMs(): number {
    return 2 * this.deps.connectTimeoutMs + this.deps.pduTimeoutMs;
  }
}

/**
 * When to try again after `pending.attempts` failed attempts: the retry delay, doubled per
 * attempt up to an hour; undefined once that would fall past the retry period.
 */
export function nextAttempt(pending: Pick<PendingCommitment, 'attempts' | 'requestedAt'>, now: Date, policy: { retryDelayMs: number; retryHours: number }): Date | undefined {
  const delay = Math.min(policy.retryDelayMs * 2 ** Math.min(pending.attempts - 1, 30), MAX_RETRY_DELAY_MS);
  const at = new Date(now.getTime() + delay);
  return at.getTime() <= pending.requestedAt.getTime() + policy.retryHours * 3_600_000 ? at : undefined;
}

function checked(status: number, via: string): string {
  if (status !== DimseStatus.Success) throw new Error(`N-EVENT-REPORT answered with status 0x${status.toString(16).padStart(4, '0')} (${via})`);
  return via;
}
