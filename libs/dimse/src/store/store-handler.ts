import { readFile } from 'node:fs/promises';
import { requests, responses } from 'dcmjs-dimse';
import type { DimseAuditContext } from '@pacs/audit';
import type { DeidProfileSetting } from '@pacs/config';
import { DimseStatus, dimseStatusOf, DomainError } from '@pacs/errors';
import type { IngestOutcome } from '@pacs/index';
import type { TempBlob } from '@pacs/storage';
import { errorComment } from '../dimse-status';
import type { ScpServices } from '../association/scp-services';
import type { SinkOutcome } from './store-sink';

type CStoreRequest = requests.CStoreRequest;
type StoreResult = { status: number; comment?: string };
export type StoreServices = Pick<ScpServices, 'ingest' | 'audit' | 'logger' | 'maxInstanceBytes' | 'metrics' | 'receive'>;

/**
 * Turns a received C-STORE data set into its response (PS3.4 B.2.3): ingest (durable blob and
 * index), audit, then the status. Every path ends in a status; the audit event is durable
 * before the response goes out (committed with the index row, or recorded), so nothing is
 * acknowledged without its event.
 */
export class StoreHandler {
  constructor(
    private readonly deps: StoreServices,
    private readonly caller: () => DimseAuditContext,
  ) {}

  async respond(request: CStoreRequest, outcome: SinkOutcome | undefined): Promise<responses.CStoreResponse> {
    const result = await this.handle(request, outcome).catch((err): StoreResult => {
      this.deps.logger.error({ msg: 'C-STORE failed unexpectedly', callingAe: this.caller().callingAe, err: String(err) });
      return { status: DimseStatus.ProcessingFailure, comment: 'processing failure' };
    });
    await this.auditFailure(request, result);
    return storeResponse(request, result);
  }

  private async handle(request: CStoreRequest, outcome: SinkOutcome | undefined): Promise<StoreResult> {
    const callingAe = this.caller().callingAe;
    // Ingest counts what it was given; what ends before it is counted here.
    if (outcome?.kind !== 'stored') this.deps.metrics?.instancesRefused.inc({ channel: 'dimse', reason: PRE_INGEST_REASON[outcome?.kind ?? 'none'] });
    switch (outcome?.kind) {
      case 'stored':
        return this.ingest(request, outcome.temp);
      case 'refused':
        // A refusal stays a refusal even when its event cannot be written.
        await this.deps.audit.denied(this.caller(), 'store').catch((err) => this.auditNotRecorded(err));
        return { status: DimseStatus.RefusedNotAuthorized, comment: `${callingAe} may not store` };
      case 'too-large':
        return { status: dimseStatusOf('too-large'), comment: `instance exceeds ${this.deps.maxInstanceBytes} bytes` };
      case 'failed':
        this.deps.logger.error({ msg: 'C-STORE data set not written', callingAe, err: String(outcome.error) });
        return { status: dimseStatusOf('storage-failure'), comment: 'could not write the instance' };
      default:
        return { status: DimseStatus.ProcessingFailure, comment: 'no data set received' };
    }
  }

  private async ingest(request: CStoreRequest, temp: TempBlob): Promise<StoreResult> {
    const sopInstanceUid = request.getAffectedSopInstanceUid();
    const caller = this.caller();
    const profile = this.deps.receive.profileOf(caller.callingAe);
    const source = { channel: 'dimse' as const, actor: caller.callingAe, remoteAddress: caller.remoteAddress, expectedSopClassUid: request.getAffectedSopClassUid() };
    try {
      const outcome = profile
        ? await this.ingestDeidentified(temp, profile, source)
        : await this.deps.ingest.ingest(temp, { ...source, expectedSopInstanceUid: sopInstanceUid });
      this.deps.logger.debug({ msg: 'C-STORE stored', callingAe: caller.callingAe, sopInstanceUid, result: outcome.result, studyUid: outcome.studyUid });
      // Usually the event was staged in the index commit itself (StoreAuditCompanion, no extra
      // commit); otherwise (a kept duplicate: no index write) it is recorded before the answer.
      if (!outcome.coCommitted) await this.deps.audit.stored(caller, outcome);
      // PS3.4 B.2.3: stored with attributes changed to a correction's values.
      if (outcome.coerced) return { status: DimseStatus.CoercionOfDataElements, comment: 'attributes coerced to the corrected patient and study values' };
      return { status: DimseStatus.Success };
    } catch (err) {
      // IngestService has already consumed (discarded) the temp blob.
      return this.failedIngest(err, sopInstanceUid);
    }
  }

  /**
   * A peer registered with `deidentifyOnReceive`: only a de-identified copy (PS3.15 E.1) of what
   * it sent is stored, under new UIDs, so the Affected SOP Instance UID is not checked against it.
   * An instance that cannot be de-identified fails (Processing failure, with the reason).
   */
  private async ingestDeidentified(temp: TempBlob, profile: DeidProfileSetting, source: Parameters<ScpServices['ingest']['ingest']>[1]): Promise<IngestOutcome> {
    const receive = this.deps.receive;
    let copy: Buffer;
    try {
      copy = receive.deid.deidentify(await readFile(temp.path), profile).bytes;
    } finally {
      await receive.blobs.discardTemp(temp);
    }
    return receive.copies.store(copy, source);
  }

  private failedIngest(err: unknown, sopInstanceUid: string): StoreResult {
    // Ingest's refusals, and de-identification's (deid-refused: burned-in annotation).
    const code = err instanceof DomainError ? err.code : undefined;
    const status = dimseStatusOf(code);
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.warn({ msg: 'C-STORE failed', callingAe: this.caller().callingAe, sopInstanceUid, code: code ?? 'internal', status: hex(status), reason: message });
    return { status, comment: code ? message : 'processing failure' };
  }

  /** A failed C-STORE is audited before it is answered (refusals were audited as denials). */
  private async auditFailure(request: CStoreRequest, result: StoreResult): Promise<void> {
    if (result.status === DimseStatus.Success || result.status === DimseStatus.CoercionOfDataElements || result.status === DimseStatus.RefusedNotAuthorized) return;
    await this.deps.audit
      .storeFailed(this.caller(), request.getAffectedSopInstanceUid(), result.status)
      .catch((err) => this.auditNotRecorded(err));
  }

  private auditNotRecorded(err: unknown): void {
    this.deps.logger.error({ msg: 'audit event not recorded', callingAe: this.caller().callingAe, err: String(err) });
  }
}

/** Metric reasons of C-STOREs that end before ingest (beside ingest's own error codes). */
const PRE_INGEST_REASON: Record<Exclude<SinkOutcome['kind'], 'stored'> | 'none', string> = {
  refused: 'not-authorized',
  'too-large': 'too-large',
  failed: 'write-failure',
  dropped: 'dropped',
  none: 'no-data-set',
};

/** A C-STORE response; failures carry an Error Comment (PS3.7 C, PS3.4 B.2.3). */
function storeResponse(request: CStoreRequest, result: StoreResult): responses.CStoreResponse {
  const response = responses.CStoreResponse.fromRequest(request);
  response.setStatus(result.status);
  if (result.status !== DimseStatus.Success && result.comment) response.setErrorComment(errorComment(result.comment));
  return response;
}

function hex(status: number): string {
  return `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;
}
