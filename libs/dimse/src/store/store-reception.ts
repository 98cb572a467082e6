import type { DimseAuditContext } from '@pacs/audit';
import { buildPart10Header } from '@pacs/dicom';
import type { association as dimseAssociation, requests, responses } from 'dcmjs-dimse';
import type { ScpServices } from '../association/scp-services';
import { StoreHandler } from './store-handler';
import { SinkOutcome, StoreSink } from './store-sink';

type PresentationContext = dimseAssociation.PresentationContext;
type CStoreRequest = requests.CStoreRequest;
type ReceptionServices = Pick<ScpServices, 'ingest' | 'audit' | 'logger' | 'maxInstanceBytes' | 'metrics' | 'policy' | 'blobStore' | 'tracker' | 'receive'>;

const EMPTY = Buffer.alloc(0);

/**
 * The C-STOREs of one association (PS3.4 B.2): each data set streams to a temporary blob behind
 * a Part 10 header (GOTCHAS: no File Meta arrives), is handed to IngestService unparsed, and is
 * answered by StoreHandler. Whatever a closed association leaves (a half-received data set,
 * blobs no C-STORE-RQ claimed) is freed here.
 */
export class StoreReception {
  /** The data set being received now (at most one: no asynchronous operations are negotiated). */
  private active: StoreSink | undefined;
  private readonly sinkRequests = new WeakMap<StoreSink, CStoreRequest>();
  /** Received data sets waiting for their cStoreRequest. */
  private readonly outcomes = new Map<CStoreRequest, SinkOutcome>();
  private readonly inFlight = new Set<CStoreRequest>();
  private readonly handler: StoreHandler;
  private closed = false;

  constructor(
    private readonly services: ReceptionServices,
    private readonly caller: () => DimseAuditContext,
  ) {
    this.handler = new StoreHandler(services, caller);
  }

  /** Where a C-STORE data set goes: a temporary blob, or nowhere when it is refused or fails. */
  open(context: PresentationContext, request: CStoreRequest): StoreSink {
    this.inFlight.add(request);
    this.services.tracker.storeStarted();
    const sink = this.openSink(context, request);
    this.sinkRequests.set(sink, request);
    this.active = sink;
    return sink;
  }

  /** Waits for the blob to be written and keeps the outcome for the C-STORE-RQ; false once closed. */
  async received(writable: StoreSink): Promise<boolean> {
    const request = this.sinkRequests.get(writable);
    const outcome = await writable.complete().catch((error: Error): SinkOutcome => ({ kind: 'failed', error }));
    if (this.active === writable) this.active = undefined;
    if (this.closed) {
      this.dropOutcome(request, outcome);
      return false;
    }
    if (request) this.outcomes.set(request, outcome);
    return true;
  }

  /** The C-STORE response (PS3.4 B.2.3) to the data set received for this request. */
  async respond(request: CStoreRequest): Promise<responses.CStoreResponse> {
    const outcome = this.outcomes.get(request);
    this.outcomes.delete(request);
    const response = await this.handler.respond(request, outcome);
    this.endStore(request);
    return response;
  }

  /** Frees what the association left: the data set being received, outcomes nobody claimed. */
  close(): void {
    this.closed = true;
    const sink = this.active;
    this.active = undefined;
    if (sink) {
      void sink.abandon().catch(() => undefined);
      this.endStore(this.sinkRequests.get(sink));
    }
    for (const [request, outcome] of this.outcomes) this.dropOutcome(request, outcome);
    this.outcomes.clear();
  }

  private openSink(context: PresentationContext, request: CStoreRequest): StoreSink {
    const max = this.services.maxInstanceBytes;
    const callingAe = this.caller().callingAe;
    if (!this.services.policy.mayUse(callingAe, 'store')) return new StoreSink(null, EMPTY, max);
    let header: Buffer;
    try {
      header = buildPart10Header({
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
        sourceAeTitle: callingAe,
      });
    } catch (err) {
      return new StoreSink(null, EMPTY, max, { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
    }
    this.services.ingest.announce(request.getAffectedSopInstanceUid());
    return new StoreSink(this.services.blobStore.createTemp(), header, max);
  }

  private endStore(request: CStoreRequest | undefined): void {
    if (request && this.inFlight.delete(request)) this.services.tracker.storeEnded();
  }

  private dropOutcome(request: CStoreRequest | undefined, outcome: SinkOutcome): void {
    if (outcome.kind === 'stored') void this.services.blobStore.discardTemp(outcome.temp).catch(() => undefined);
    this.endStore(request);
  }
}
