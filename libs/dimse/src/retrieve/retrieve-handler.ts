import { Dataset, requests, responses } from 'dcmjs-dimse';
import type { DeidService } from '@pacs/deid';
import type { RetrieveScope, StoredInstance } from '@pacs/index';
import type { AePolicy } from '../association/ae-policy';
import { DimseCaller, DimseFailure } from '../providers/dimse-providers';
import { DimseStatus } from '@pacs/errors';
import { errorComment } from '../dimse-status';
import { DeidentifiedMove, deidentifiedMove } from './deidentified-move';
import { MoveAssociations, MoveDestination } from './move-association';
import { refusalSummary } from '../wire/pdu-guard';
import { toRetrieveScope } from '../find/qr-identifier';
import { QrRoot, rootOf } from '../find/qr-sop-classes';
import { RetrieveOutcome, runRetrieve, SubOperationCounts } from './retrieve-operation';
import type { StoreChannel } from './store-channel';

/**
 * Pending C-MOVE/C-GET responses are optional (PS3.4 C.4.2.3.1, C.4.3.3.1: the SCP "may"
 * send them): one after the first sub-operation, then at most one per interval. A workstation's
 * progress stays current without a response per instance on the critical path of a retrieve.
 */
const PENDING_INTERVAL_MS = 100;

type RetrieveRequest = requests.CMoveRequest | requests.CGetRequest;
type RetrieveResponse = responses.CMoveResponse | responses.CGetResponse;
type Logger = { log(message: unknown): void; warn(message: unknown): void; error(message: unknown): void };
type Final = { status: number; comment?: string; outcome?: RetrieveOutcome };

/** What C-MOVE and C-GET need from the server. */
export interface RetrieveDependencies {
  policy: Pick<AePolicy, 'mayUse'>;
  retrieve: { findForRetrieve(scope: RetrieveScope): Promise<StoredInstance[]>; load(instance: StoredInstance, target: Buffer): Promise<Buffer> };
  /** Registered peers with host and port (PS3.4 C.4.2.1.5: otherwise 0xA801). */
  destinations: { find(aeTitle: string): MoveDestination | undefined };
  /** De-identification for move destinations registered with `deidentify`. */
  deid?: Pick<DeidService, 'keys' | 'deidentify'>;
  /** Our AE title: the calling AE of move associations. */
  aeTitle: string;
  connectTimeoutMs: number;
  pduTimeoutMs: number;
}

/** What the association the request came on offers. */
export interface RetrieveRequester {
  caller(): DimseCaller;
  sendPending(request: RetrieveRequest, response: RetrieveResponse): void;
  /**
   * dcmjs-dimse's PDU timeout counts only inbound PDUs, and a C-MOVE requester sends none until
   * the final response: progress on a retrieve counts as activity (GOTCHAS).
   */
  keepAlive(): void;
  /** This association as the channel of C-GET sub-operations (PS3.4 C.4.3.3). */
  channel(): StoreChannel;
}

/**
 * C-MOVE (PS3.4 C.4.2) and C-GET (C.4.3) SCP of one association, for both Q/R roots. Every
 * outcome is a status; Pending responses after each sub-operation carry the counts.
 */
export class RetrieveHandler {
  /** Running retrieves by Message ID, so a C-CANCEL stops them (PS3.7 9.3.3.3, 9.3.4.3). */
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly deps: RetrieveDependencies,
    private readonly requester: RetrieveRequester,
    private readonly logger: Logger,
  ) {}

  async move(request: requests.CMoveRequest): Promise<responses.CMoveResponse> {
    const final = await this.guarded(request, 'move', async (root, signal) => {
      const destination = this.deps.destinations.find(moveDestinationOf(request));
      if (!destination) return { status: DimseStatus.MoveDestinationUnknown, comment: 'move destination unknown' };
      const stored = await this.deps.retrieve.findForRetrieve(toRetrieveScope(identifier(request), root));
      if (stored.length === 0) return { status: DimseStatus.Success };
      const load = (instance: StoredInstance, target: Buffer) => this.deps.retrieve.load(instance, target);
      let copies: DeidentifiedMove | undefined;
      try {
        copies = destination.deidentify ? deidentifiedMove(stored, load, this.deps.deid, destination.deidentify) : undefined;
      } catch (err) {
        this.logger.warn({ msg: 'C-MOVE: no de-identified copies for the destination', destinationAe: destination.aeTitle, err: String(err) });
        return { status: DimseStatus.UnableToProcess, comment: `${destination.aeTitle} takes de-identified copies only: ${(err as Error).message}` };
      }
      const instances = copies?.instances ?? stored;
      const associations = MoveAssociations.open(destination, this.deps.aeTitle, syntaxesByClass(instances), {
        ...this.deps,
        instances: instances.length,
        extraRefused: (err) => this.logger.warn({ msg: 'C-MOVE: extra association not opened', destinationAe: destination.aeTitle, err: String(err) }),
        aborted: (refusal) => this.logger.warn({ msg: `C-MOVE destination association aborted: ${refusalSummary(refusal)}`, destinationAe: destination.aeTitle, why: refusal.why }),
      });
      try {
        await associations.first();
      } catch (err) {
        this.logger.warn({ msg: 'C-MOVE destination not reachable', destinationAe: destination.aeTitle, err: String(err) });
        return { status: DimseStatus.OutOfResourcesSubOperations, comment: 'cannot associate with the move destination' };
      }
      try {
        const outcome = await this.sendAll(request, instances, associations.channels(), signal, copies?.load ?? load);
        if (copies) outcome.failedSopInstanceUids = outcome.failedSopInstanceUids.map(copies.original);
        return { status: 0, outcome };
      } finally {
        await associations.release();
      }
    });
    return finalResponse(responses.CMoveResponse.fromRequest(request), request, final);
  }

  async get(request: requests.CGetRequest): Promise<responses.CGetResponse> {
    const final = await this.guarded(request, 'get', async (root, signal) => {
      const instances = await this.deps.retrieve.findForRetrieve(toRetrieveScope(identifier(request), root));
      if (instances.length === 0) return { status: DimseStatus.Success };
      const load = (instance: StoredInstance, target: Buffer) => this.deps.retrieve.load(instance, target);
      return { status: 0, outcome: await this.sendAll(request, instances, [Promise.resolve(this.requester.channel())], signal, load) };
    });
    return finalResponse(responses.CGetResponse.fromRequest(request), request, final);
  }

  cancel(messageIdBeingRespondedTo: number): void {
    this.running.get(messageIdBeingRespondedTo)?.abort();
  }

  cancelAll(): void {
    for (const abort of this.running.values()) abort.abort();
  }

  /** SOP class and service right checks, cancel registration, failures as statuses. */
  private async guarded(request: RetrieveRequest, service: 'move' | 'get', body: (root: QrRoot, signal: AbortSignal) => Promise<Final>): Promise<Final> {
    const root = rootOf(request.getAffectedSopClassUid());
    const caller = this.requester.caller();
    if (!root) return { status: DimseStatus.SopClassNotSupported, comment: 'SOP class not supported' };
    if (!this.deps.policy.mayUse(caller.callingAe, service)) {
      return { status: DimseStatus.RefusedNotAuthorized, comment: `${caller.callingAe} may not use ${service}` };
    }
    const abort = new AbortController();
    const messageId = request.getMessageId();
    this.running.set(messageId, abort);
    try {
      return await body(root, abort.signal);
    } catch (err) {
      if (err instanceof DimseFailure) return { status: err.status, comment: err.message };
      this.logger.error({ msg: `C-${service.toUpperCase()} failed unexpectedly`, callingAe: caller.callingAe, err: String(err) });
      return { status: DimseStatus.UnableToProcess, comment: 'unable to process' };
    } finally {
      this.running.delete(messageId);
    }
  }

  private async sendAll(
    request: RetrieveRequest,
    instances: StoredInstance[],
    channels: Promise<StoreChannel>[],
    signal: AbortSignal,
    load: (instance: StoredInstance, target: Buffer) => Promise<Buffer>,
  ): Promise<RetrieveOutcome> {
    const { callingAe } = this.requester.caller();
    const move = request instanceof requests.CMoveRequest;
    let lastPending = 0;
    const outcome = await runRetrieve({
      instances,
      channels,
      load,
      signal,
      onProgress: (counts) => {
        this.requester.keepAlive();
        const now = Date.now();
        if (now - lastPending < PENDING_INTERVAL_MS) return;
        lastPending = now;
        const pending = move ? responses.CMoveResponse.fromRequest(request) : responses.CGetResponse.fromRequest(request as requests.CGetRequest);
        this.requester.sendPending(request, withCounts(pending, DimseStatus.Pending, counts, true));
      },
      decorate: move
        ? (store) => {
            // PS3.7 9.1.1.1: a C-STORE on behalf of a C-MOVE names its originator.
            store.getCommandDataset().setElement('MoveOriginatorApplicationEntityTitle', callingAe);
            store.getCommandDataset().setElement('MoveOriginatorMessageID', request.getMessageId() as unknown as string);
          }
        : undefined,
    });
    this.logger.log({ msg: move ? 'C-MOVE done' : 'C-GET done', callingAe, ...outcome.counts, status: outcome.status });
    return outcome;
  }
}

/** Move Destination (0000,0600) of the command; the typings of dcmjs-dimse 0.3 lack its getter. */
function moveDestinationOf(request: requests.CMoveRequest): string {
  return String(request.getCommandDataset().getElement('MoveDestination') ?? '').trim();
}

function identifier(request: RetrieveRequest): Record<string, unknown> {
  return request.getDataset()?.getElements() ?? {};
}

/** Stored transfer syntaxes per SOP class: one presentation context each on the move association. */
export function syntaxesByClass(instances: StoredInstance[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const i of instances) {
    const set = map.get(i.sopClassUid) ?? new Set<string>();
    set.add(i.transferSyntaxUid);
    map.set(i.sopClassUid, set);
  }
  return map;
}

function withCounts<R extends RetrieveResponse>(response: R, status: number, counts: SubOperationCounts, remaining: boolean): R {
  response.setStatus(status);
  if (remaining) response.setRemaining(counts.remaining);
  response.setCompleted(counts.completed);
  response.setFailures(counts.failed);
  response.setWarnings(counts.warning);
  return response;
}

/**
 * Final response (PS3.4 C.4.2.1.5, C.4.3.1.4): counts of completed, failed and warning
 * sub-operations (remaining only after a cancel), and the Failed SOP Instance UID List
 * (0008,0058) when some failed.
 */
function finalResponse<R extends RetrieveResponse>(response: R, request: RetrieveRequest, final: Final): R {
  const outcome = final.outcome;
  if (!outcome) {
    response.setStatus(final.status);
    if (final.comment && final.status !== DimseStatus.Success) response.setErrorComment(errorComment(final.comment));
    if (final.status === DimseStatus.Success) withCounts(response, final.status, { remaining: 0, completed: 0, failed: 0, warning: 0 }, false);
    return response;
  }
  withCounts(response, outcome.status, outcome.counts, outcome.status === DimseStatus.Cancel);
  if (outcome.failedSopInstanceUids.length > 0) {
    response.setDataset(new Dataset({ FailedSOPInstanceUIDList: outcome.failedSopInstanceUids }, request.getDataset()?.getTransferSyntaxUid()));
  }
  return response;
}
