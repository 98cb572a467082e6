import type { Socket } from 'node:net';
import type { DimseAuditContext } from '@pacs/audit';
import { association as dimseAssociation, Dataset, Implementation, requests, responses, Scp } from 'dcmjs-dimse';
import { normalizeAe } from './ae-policy';
import { DimseStatus, errorComment } from '../dimse-status';
import { ContextResult, choosePresentationContext } from './presentation-context';
import { ProviderDispatch } from '../providers/provider-dispatch';
import { RetrieveHandler } from '../retrieve/retrieve-handler';
import { ArtimTimer } from './artim-timer';
import { CommitmentHandler } from '../commitment/commitment-handler';
import { AuditedOperation, auditOperation } from './operation-audit';
import { SCP_DEPENDENCIES, ScpDependencies } from './scp-dependencies';
import { leanMessageCoding } from '../wire/dataset-encoding';
import { resetPduTimer } from '../wire/library-fields';
import { refusalSummary } from '../wire/pdu-guard';
import { RequestGate } from './request-gate';
import { requestsServedOn } from './request-screen';
import { acceptedSyntaxesOf, sendAndAwait } from '../retrieve/store-channel';
import { StoreHandler } from '../store/store-handler';
import { SinkOutcome, StoreSink } from '../store/store-sink';

type Association = dimseAssociation.Association;
type PresentationContext = dimseAssociation.PresentationContext;
type CStoreRequest = requests.CStoreRequest;
type ScpOptions = ConstructorParameters<typeof Scp>[1];

const EMPTY = Buffer.alloc(0);

/**
 * One DICOM association (dcmjs-dimse creates one per connection). Verification and storage here;
 * C-MOVE and C-GET go to RetrieveHandler; Storage Commitment N-ACTION to CommitmentHandler;
 * C-FIND, N-CREATE and N-SET go to the providers domain modules register (ProviderDispatch);
 * every DIMSE handler answers with a status, so a failure never drops the association
 * (STYLE: the pynetdicom boundary). A request that cannot be served on its presentation context
 * is answered by RequestGate before any handler runs; PDVs no handler could take end the
 * association with an A-ABORT (PduGuard). C-STORE data sets stream to a temporary blob and are
 * handed to IngestService unparsed.
 */
export class PacsScp extends Scp {
  private readonly deps: ScpDependencies;
  private readonly remoteAddress: string | undefined;
  private callingAe = '';
  private associated = false;
  private negotiated: Association | undefined;
  private closed = false;
  /** Set once the peer asked for A-RELEASE: nothing new is sent on this association then. */
  private releasing = false;
  /** The data set being received now (at most one: no asynchronous operations are negotiated). */
  private activeSink: StoreSink | undefined;
  private readonly sinkRequests = new WeakMap<StoreSink, CStoreRequest>();
  /** Received data sets waiting for their cStoreRequest. */
  private readonly outcomes = new Map<CStoreRequest, SinkOutcome>();
  private readonly storesInFlight = new Set<CStoreRequest>();
  private readonly dispatch: ProviderDispatch;
  /** Answers requests that cannot be served on their presentation context before any handler runs. */
  private readonly gate: RequestGate;
  private readonly retrieves: RetrieveHandler;
  private readonly stores: StoreHandler;
  private readonly commitments: CommitmentHandler;
  /** Rejects when the association ends, so C-GET sub-operations waiting for a response stop. */
  private readonly ended: Promise<never>;
  private endWith: (err: Error) => void = () => undefined;
  /** Closes the connection while it has no association for too long (PS3.8 9.1.5). */
  private readonly artim: ArtimTimer;

  constructor(socket: Socket, opts?: ScpOptions) {
    super(socket, opts);
    const deps = opts?.customOptions?.[SCP_DEPENDENCIES] as ScpDependencies | undefined;
    if (!deps) throw new Error(`PacsScp needs customOptions.${SCP_DEPENDENCIES}`);
    this.deps = deps;
    this.remoteAddress = socket.remoteAddress;
    this.dispatch = new ProviderDispatch(
      deps.providers,
      deps.policy,
      () => ({ callingAe: this.callingAe, remoteAddress: this.remoteAddress }),
      (request, response) => this.sendResponse(request, response),
      deps.logger,
    );
    this.stores = new StoreHandler(deps, () => this.auditContext());
    this.ended = new Promise<never>((_, reject) => (this.endWith = reject));
    this.ended.catch(() => undefined);
    this.retrieves = new RetrieveHandler(
      deps.retrieve,
      {
        caller: () => ({ callingAe: this.callingAe, remoteAddress: this.remoteAddress }),
        sendPending: (request, response) => this.sendResponse(request, response),
        keepAlive: () => resetPduTimer(this),
        channel: () => ({
          acceptedSyntaxes: (sopClassUid) => acceptedSyntaxesOf(this.negotiated, sopClassUid, true),
          store: (request) => sendAndAwait((r) => this.sendRequests(r), request, this.ended),
        }),
      },
      deps.logger,
    );
    this.commitments = new CommitmentHandler(
      deps.commitment,
      {
        caller: () => ({ callingAe: this.callingAe, remoteAddress: this.remoteAddress }),
        reportHere: (request) => (this.closed || this.releasing ? undefined : sendAndAwait((r) => this.sendRequests(r), request, this.ended)),
      },
      deps.logger,
    );
    // Nagle's algorithm delays each small DIMSE response by up to ~40 ms (GOTCHAS).
    socket.setNoDelay(true);
    this.gate = new RequestGate((abstractSyntax) => requestsServedOn(abstractSyntax, deps.providers), deps, () => this.callingAe);
    this.gate.install(this);
    leanMessageCoding(this, ({ why, source, reason, ...refusal }) =>
      this.deps.logger.warn({ msg: `association aborted: ${refusalSummary(refusal)}`, why, abortSource: source, abortReason: reason, callingAe: this.callingAe, remoteAddress: this.remoteAddress }),
    );
    this.on('close', () => this.cleanUp());
    this.artim = new ArtimTimer(deps.associationTimeoutMs, (waitingFor, ms) => {
      this.deps.logger.warn({ msg: `connection closed: ${waitingFor} within ${ms} ms (ARTIM)`, callingAe: this.callingAe || undefined, remoteAddress: this.remoteAddress });
      this.deps.metrics?.dimseArtimClosed.inc();
      socket.destroy();
    });
    this.artim.start('no A-ASSOCIATE-RQ');
  }

  /** Applies the AE policy (PS3.8 9.3.4) and decides each presentation context (PS3.8 9.3.3.2). */
  override associationRequested(association: Association): void {
    this.artim.stop();
    this.negotiated = association;
    this.callingAe = normalizeAe(association.getCallingAeTitle());
    const called = normalizeAe(association.getCalledAeTitle());
    const decision = this.deps.policy.decideAssociation({
      calledAeTitle: called,
      callingAeTitle: this.callingAe,
      remoteAddress: this.remoteAddress,
      liveAssociations: this.deps.tracker.liveAssociations,
    });
    if (!decision.accept) {
      this.deps.logger.warn({ msg: 'association rejected', callingAe: this.callingAe, calledAe: called, remoteAddress: this.remoteAddress, why: decision.why });
      this.audited(this.deps.audit.association(this.auditContext(called), false, decision.why));
      this.sendAssociationReject(decision.result, decision.source, decision.reason);
      this.artim.start('not closed by the peer after A-ASSOCIATE-RJ');
      return;
    }
    let accepted = 0;
    for (const { context } of association.getPresentationContexts()) if (this.decideContext(context)) accepted++;
    this.associated = true;
    this.deps.tracker.associationOpened();
    this.deps.logger.log({ msg: 'association accepted', callingAe: this.callingAe, remoteAddress: this.remoteAddress, acceptedContexts: accepted });
    this.audited(this.deps.audit.association(this.auditContext(called), true));
    this.sendAssociationAccept();
  }

  /**
   * The A-ASSOCIATE-AC carries the largest PDU *we* can receive (PS3.8 D.1, Maximum Length
   * Sub-Item); dcmjs-dimse would send min(theirs, ours), holding a storescu at 16 KB PDUs and
   * 32 PDUs per 512 KB image. Their limit stays in place for everything we send them. Only one
   * operation at a time is offered (PS3.7 D.3.3.3: no asynchronous operations window).
   */
  override sendAssociationAccept(): void {
    const association = this.negotiated;
    if (!association) return super.sendAssociationAccept();
    const theirs = association.getMaxPduLength();
    association.setMaxPduLength(Implementation.getMaxPduLength());
    if (association.getNegotiateAsyncOps()) {
      association.setMaxAsyncOpsInvoked(1);
      association.setMaxAsyncOpsPerformed(1);
    }
    super.sendAssociationAccept();
    association.setMaxPduLength(theirs);
  }

  override associationReleaseRequested(): void {
    this.deps.logger.debug({ msg: 'association released', callingAe: this.callingAe });
    this.releasing = true;
    this.sendAssociationReleaseResponse();
    this.artim.start('not closed by the peer after A-RELEASE-RP');
  }

  override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
    const allowed = this.deps.policy.mayUse(this.callingAe, 'echo');
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(allowed ? DimseStatus.Success : DimseStatus.RefusedNotAuthorized);
    if (!allowed) response.setErrorComment(errorComment(`${this.callingAe} may not use echo`));
    const event = allowed ? this.deps.audit.echo(this.auditContext(), DimseStatus.Success) : this.deps.audit.denied(this.auditContext(), 'echo');
    // No unaudited success: Success becomes a processing failure when its event cannot be written
    // (the database is down); a refusal stays a refusal.
    void event
      .catch((err) => {
        this.auditFailed(err);
        if (allowed) response.setStatus(DimseStatus.ProcessingFailure);
      })
      .then(() => callback(response));
  }

  /** Streams the data set to a temporary blob behind a Part 10 header (GOTCHAS: no File Meta arrives). */
  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): StoreSink {
    // A C-STORE the gate refuses is answered once its data set has passed, which nothing keeps.
    if (this.gate.refusal(context, request)) return new StoreSink(null, EMPTY, 0, { kind: 'dropped' });
    this.storesInFlight.add(request);
    this.deps.tracker.storeStarted();
    const sink = this.openSink(context, request);
    this.sinkRequests.set(sink, request);
    this.activeSink = sink;
    return sink;
  }

  /** Skips dcmjs-dimse's parse: waits for the blob to be written and passes a placeholder data set on. */
  override createDatasetFromStoreWritableStream(writable: StoreSink, context: PresentationContext, callback: (dataset: Dataset) => void): void {
    const request = this.sinkRequests.get(writable);
    writable
      .complete()
      .catch((error: Error): SinkOutcome => ({ kind: 'failed', error }))
      .then((outcome) => {
        if (this.activeSink === writable) this.activeSink = undefined;
        if (this.closed) return this.dropOutcome(request, outcome);
        if (request) this.outcomes.set(request, outcome);
        callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
      })
      .catch((err) => this.deps.logger.error({ msg: 'C-STORE hand-over failed', callingAe: this.callingAe, err: String(err) }));
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: responses.CStoreResponse) => void): void {
    const outcome = this.outcomes.get(request);
    this.outcomes.delete(request);
    void this.stores
      .respond(request, outcome)
      .then((response) => {
        this.endStore(request);
        if (!this.closed) callback(response);
      })
      .catch((err) => this.deps.logger.error({ msg: 'C-STORE response not sent', callingAe: this.callingAe, err: String(err) }));
  }

  override cFindRequest(request: requests.CFindRequest, callback: (responses: responses.CFindResponse[]) => void): void {
    this.answer(this.dispatch.find(request), 'find', request.getAffectedSopClassUid(), request, (final) => callback([final]));
  }

  override nCreateRequest(request: requests.NCreateRequest, callback: (response: responses.NCreateResponse) => void): void {
    this.answer(this.dispatch.create(request), 'mpps-create', request.getAffectedSopClassUid(), request, callback);
  }

  override nSetRequest(request: requests.NSetRequest, callback: (response: responses.NSetResponse) => void): void {
    this.answer(this.dispatch.set(request), 'mpps-set', request.getRequestedSopClassUid(), request, callback);
  }

  /** Storage Commitment (PS3.4 J.3.2): answered once recorded, the result follows as an N-EVENT-REPORT. */
  override nActionRequest(request: requests.NActionRequest, callback: (response: responses.NActionResponse) => void): void {
    void this.commitments.action(request).then(async ({ response, afterResponse }) => {
      if (response.getStatus() === DimseStatus.RefusedNotAuthorized) {
        await this.deps.audit.denied(this.auditContext(), 'store').catch((err) => this.auditFailed(err));
      }
      // A request recorded on an association closed meanwhile is still reported, on a new one.
      if (!this.closed) callback(response);
      afterResponse?.();
    });
  }

  /** C-MOVE (PS3.4 C.4.2): sub-operations on a new association to the destination. */
  override cMoveRequest(request: requests.CMoveRequest, callback: (responses: responses.CMoveResponse[]) => void): void {
    this.answer(this.retrieves.move(request), 'move', request.getAffectedSopClassUid(), request, (final) => callback([final]));
  }

  /** C-GET (PS3.4 C.4.3): C-STORE sub-operations on this association, SCP role (PS3.7 D.3.3.4). */
  override cGetRequest(request: requests.CGetRequest, callback: (responses: responses.CGetResponse[]) => void): void {
    this.answer(this.retrieves.get(request), 'get', request.getAffectedSopClassUid(), request, (final) => callback([final]));
  }

  /** Stops the C-FIND, C-MOVE or C-GET it names; its final response is Cancel (PS3.7 9.3.2.3). */
  override cCancelRequest(request: requests.CCancelRequest): void {
    this.dispatch.cancel(request.getMessageIdBeingRespondedTo());
    this.retrieves.cancel(request.getMessageIdBeingRespondedTo());
  }

  override abort(source: number, reason: number): void {
    this.deps.logger.warn({ msg: 'association aborted by peer', callingAe: this.callingAe, source, reason });
    this.cleanUp();
  }

  private decideContext(context: PresentationContext): boolean {
    const choice = choosePresentationContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids(), this.deps.contexts);
    if (choice.result === ContextResult.Accept) context.setResult(choice.result, choice.transferSyntaxUid);
    else context.setResult(choice.result);
    return choice.result === ContextResult.Accept;
  }

  private openSink(context: PresentationContext, request: CStoreRequest): StoreSink {
    const max = this.deps.maxInstanceBytes;
    if (!this.deps.policy.mayUse(this.callingAe, 'store')) return new StoreSink(null, EMPTY, max);
    let header: Buffer;
    try {
      header = this.deps.buildPart10Header({
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
        sourceAeTitle: this.callingAe,
      });
    } catch (err) {
      return new StoreSink(null, EMPTY, max, { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
    }
    this.deps.ingest.announce(request.getAffectedSopInstanceUid());
    return new StoreSink(this.deps.blobStore.createTemp(), header, max);
  }

  /** Who the audit events of this association name: the calling AE and its address. */
  private auditContext(calledAe?: string): DimseAuditContext {
    return { callingAe: this.callingAe, calledAe, remoteAddress: this.remoteAddress };
  }

  /** Sends the final response of an operation once its audit event is recorded. */
  private answer<R extends { getStatus(): number }>(
    work: Promise<R>,
    operation: AuditedOperation,
    sopClassUid: string,
    request: { getDataset(): Dataset | undefined },
    send: (response: R) => void,
  ): void {
    void work
      .then(async (response) => {
        const identifier = request.getDataset()?.getElements();
        await auditOperation(this.deps.audit, this.auditContext(), operation, sopClassUid, response.getStatus(), identifier).catch((err) => this.auditFailed(err));
        if (!this.closed) send(response);
      })
      .catch((err) => this.deps.logger.error({ msg: `${operation} response not sent`, callingAe: this.callingAe, err: String(err) }));
  }

  /**
   * An association event does not hold up the A-ASSOCIATE-AC or -RJ: a refusal gives nothing
   * away, and what an accepted peer does is audited operation by operation. A failure is logged.
   */
  private audited(event: Promise<unknown>): void {
    event.catch((err) => this.auditFailed(err));
  }

  private auditFailed(err: unknown): void {
    this.deps.logger.error({ msg: 'audit event not recorded', callingAe: this.callingAe, err: String(err) });
  }

  private endStore(request: CStoreRequest | undefined): void {
    if (request && this.storesInFlight.delete(request)) this.deps.tracker.storeEnded();
  }

  private dropOutcome(request: CStoreRequest | undefined, outcome: SinkOutcome): void {
    if (outcome.kind === 'stored') void this.deps.blobStore.discardTemp(outcome.temp).catch(() => undefined);
    this.endStore(request);
  }

  /** Frees what an aborted or closed association left: a half-received data set, unclaimed blobs. */
  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.artim.stop();
    this.dispatch.cancelAll();
    this.retrieves.cancelAll();
    this.endWith(new Error('association closed'));
    const sink = this.activeSink;
    this.activeSink = undefined;
    if (sink) {
      void sink.abandon().catch(() => undefined);
      this.endStore(this.sinkRequests.get(sink));
    }
    for (const [request, outcome] of this.outcomes) this.dropOutcome(request, outcome);
    this.outcomes.clear();
    if (this.associated) this.deps.tracker.associationClosed();
    this.associated = false;
  }
}
