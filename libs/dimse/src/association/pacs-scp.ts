import type { Socket } from 'node:net';
import { association as dimseAssociation, Dataset, Implementation, requests, responses, Scp } from 'dcmjs-dimse';
import { normalizeAe } from './ae-policy';
import { DimseStatus } from '@pacs/errors';
import { errorComment } from '../dimse-status';
import { ContextResult, choosePresentationContext } from './presentation-context';
import type { DimseCaller } from '../providers/dimse-providers';
import { ProviderDispatch } from '../providers/provider-dispatch';
import { RetrieveHandler } from '../retrieve/retrieve-handler';
import { ArtimTimer } from './artim-timer';
import { CommitmentHandler } from '../commitment/commitment-handler';
import { AssociationAudit } from './association-audit';
import { SCP_SERVICES, ScpServices } from './scp-services';
import { leanMessageCoding } from '../wire/dataset-encoding';
import { resetPduTimer } from '../wire/library-fields';
import { refusalSummary } from '../wire/pdu-guard';
import { RequestGate } from './request-gate';
import { requestsServedOn } from './request-screen';
import { acceptedSyntaxesOf, sendAndAwait } from '../retrieve/store-channel';
import { StoreReception } from '../store/store-reception';
import { StoreSink } from '../store/store-sink';

type Association = dimseAssociation.Association;
type PresentationContext = dimseAssociation.PresentationContext;
type CStoreRequest = requests.CStoreRequest;
type ScpOptions = ConstructorParameters<typeof Scp>[1];

const EMPTY = Buffer.alloc(0);

/**
 * One DICOM association (dcmjs-dimse creates one per connection). Verification here; C-STORE
 * data sets go to StoreReception; C-MOVE and C-GET to RetrieveHandler; Storage Commitment N-ACTION to CommitmentHandler;
 * C-FIND, N-CREATE and N-SET go to the providers domain modules register (ProviderDispatch);
 * every DIMSE handler answers with a status, so a failure never drops the association
 * (STYLE: the pynetdicom boundary). A request that cannot be served on its presentation context
 * is answered by RequestGate before any handler runs; PDVs no handler could take end the
 * association with an A-ABORT (PduGuard). Each final response goes out once its audit event is
 * recorded (AssociationAudit).
 */
export class PacsScp extends Scp {
  private readonly services: ScpServices;
  private readonly remoteAddress: string | undefined;
  private callingAe = '';
  private associated = false;
  private negotiated: Association | undefined;
  private closed = false;
  /** Set once the peer asked for A-RELEASE: nothing new is sent on this association then. */
  private releasing = false;
  private readonly dispatch: ProviderDispatch;
  /** Answers requests that cannot be served on their presentation context before any handler runs. */
  private readonly gate: RequestGate;
  private readonly retrieves: RetrieveHandler;
  private readonly stores: StoreReception;
  private readonly commitments: CommitmentHandler;
  private readonly audit: AssociationAudit;
  /** Rejects when the association ends, so C-GET sub-operations waiting for a response stop. */
  private readonly ended: Promise<never>;
  private endWith: (err: Error) => void = () => undefined;
  /** Closes the connection while it has no association for too long (PS3.8 9.1.5). */
  private readonly artim: ArtimTimer;

  constructor(socket: Socket, opts?: ScpOptions) {
    super(socket, opts);
    const services = opts?.customOptions?.[SCP_SERVICES] as ScpServices | undefined;
    if (!services) throw new Error(`PacsScp needs customOptions.${SCP_SERVICES}`);
    this.services = services;
    this.remoteAddress = socket.remoteAddress;
    this.dispatch = new ProviderDispatch(
      services.providers,
      services.policy,
      () => this.caller(),
      (request, response) => this.sendResponse(request, response),
      services.logger,
    );
    this.audit = new AssociationAudit(services, () => this.caller());
    this.stores = new StoreReception(services, () => this.audit.context());
    this.ended = new Promise<never>((_, reject) => (this.endWith = reject));
    this.ended.catch(() => undefined);
    this.retrieves = new RetrieveHandler(
      services.retrieve,
      {
        caller: () => this.caller(),
        sendPending: (request, response) => this.sendResponse(request, response),
        keepAlive: () => resetPduTimer(this),
        channel: () => ({
          acceptedSyntaxes: (sopClassUid) => acceptedSyntaxesOf(this.negotiated, sopClassUid, true),
          store: (request) => sendAndAwait((r) => this.sendRequests(r), request, this.ended),
        }),
      },
      services.logger,
    );
    this.commitments = new CommitmentHandler(
      services.commitment,
      {
        caller: () => this.caller(),
        reportHere: (request) => (this.closed || this.releasing ? undefined : sendAndAwait((r) => this.sendRequests(r), request, this.ended)),
      },
      services.logger,
    );
    // Nagle's algorithm delays each small DIMSE response by up to ~40 ms (GOTCHAS).
    socket.setNoDelay(true);
    this.gate = new RequestGate((abstractSyntax) => requestsServedOn(abstractSyntax, services.providers), services, () => this.callingAe);
    this.gate.install(this);
    leanMessageCoding(this, ({ why, source, reason, ...refusal }) =>
      this.services.logger.warn({ msg: `association aborted: ${refusalSummary(refusal)}`, why, abortSource: source, abortReason: reason, callingAe: this.callingAe, remoteAddress: this.remoteAddress }),
    );
    this.on('close', () => this.cleanUp());
    this.artim = new ArtimTimer(services.associationTimeoutMs, (waitingFor, ms) => {
      this.services.logger.warn({ msg: `connection closed: ${waitingFor} within ${ms} ms (ARTIM)`, callingAe: this.callingAe || undefined, remoteAddress: this.remoteAddress });
      this.services.metrics?.dimseArtimClosed.inc();
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
    const decision = this.services.policy.decideAssociation({
      calledAeTitle: called,
      callingAeTitle: this.callingAe,
      remoteAddress: this.remoteAddress,
      liveAssociations: this.services.tracker.liveAssociations,
    });
    if (!decision.accept) {
      this.services.logger.warn({ msg: 'association rejected', callingAe: this.callingAe, calledAe: called, remoteAddress: this.remoteAddress, why: decision.why });
      this.audit.inBackground(this.services.audit.association(this.audit.context(called), false, decision.why));
      this.sendAssociationReject(decision.result, decision.source, decision.reason);
      this.artim.start('not closed by the peer after A-ASSOCIATE-RJ');
      return;
    }
    let accepted = 0;
    for (const { context } of association.getPresentationContexts()) if (this.decideContext(context)) accepted++;
    this.associated = true;
    this.services.tracker.associationOpened();
    this.services.logger.log({ msg: 'association accepted', callingAe: this.callingAe, remoteAddress: this.remoteAddress, acceptedContexts: accepted });
    this.audit.inBackground(this.services.audit.association(this.audit.context(called), true));
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
    this.services.logger.debug({ msg: 'association released', callingAe: this.callingAe });
    this.releasing = true;
    this.sendAssociationReleaseResponse();
    this.artim.start('not closed by the peer after A-RELEASE-RP');
  }

  override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
    const allowed = this.services.policy.mayUse(this.callingAe, 'echo');
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(allowed ? DimseStatus.Success : DimseStatus.RefusedNotAuthorized);
    if (!allowed) response.setErrorComment(errorComment(`${this.callingAe} may not use echo`));
    const event = allowed ? this.services.audit.echo(this.audit.context(), DimseStatus.Success) : this.services.audit.denied(this.audit.context(), 'echo');
    // No unaudited success: Success becomes a processing failure when its event cannot be written
    // (the database is down); a refusal stays a refusal.
    void event
      .catch((err) => {
        this.audit.failed(err);
        if (allowed) response.setStatus(DimseStatus.ProcessingFailure);
      })
      .then(() => callback(response));
  }

  /** Streams the data set to a temporary blob (StoreReception) instead of memory. */
  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): StoreSink {
    // A C-STORE the gate refuses is answered once its data set has passed, which nothing keeps.
    if (this.gate.refusal(context, request)) return new StoreSink(null, EMPTY, 0, { kind: 'dropped' });
    return this.stores.open(context, request);
  }

  /** Skips dcmjs-dimse's parse: waits for the blob to be written and passes a placeholder data set on. */
  override createDatasetFromStoreWritableStream(writable: StoreSink, context: PresentationContext, callback: (dataset: Dataset) => void): void {
    this.stores
      .received(writable)
      .then((kept) => kept && callback(new Dataset({}, context.getAcceptedTransferSyntaxUid())))
      .catch((err) => this.services.logger.error({ msg: 'C-STORE hand-over failed', callingAe: this.callingAe, err: String(err) }));
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: responses.CStoreResponse) => void): void {
    void this.stores
      .respond(request)
      .then((response) => {
        if (!this.closed) callback(response);
      })
      .catch((err) => this.services.logger.error({ msg: 'C-STORE response not sent', callingAe: this.callingAe, err: String(err) }));
  }

  override cFindRequest(request: requests.CFindRequest, callback: (responses: responses.CFindResponse[]) => void): void {
    this.audit.answer(this.dispatch.find(request), 'find', request.getAffectedSopClassUid(), request, this.ifOpen((final) => callback([final])));
  }

  override nCreateRequest(request: requests.NCreateRequest, callback: (response: responses.NCreateResponse) => void): void {
    this.audit.answer(this.dispatch.create(request), 'mpps-create', request.getAffectedSopClassUid(), request, this.ifOpen(callback));
  }

  override nSetRequest(request: requests.NSetRequest, callback: (response: responses.NSetResponse) => void): void {
    this.audit.answer(this.dispatch.set(request), 'mpps-set', request.getRequestedSopClassUid(), request, this.ifOpen(callback));
  }

  /** Storage Commitment (PS3.4 J.3.2): answered once recorded, the result follows as an N-EVENT-REPORT. */
  override nActionRequest(request: requests.NActionRequest, callback: (response: responses.NActionResponse) => void): void {
    void this.commitments.action(request).then(async ({ response, afterResponse }) => {
      if (response.getStatus() === DimseStatus.RefusedNotAuthorized) {
        await this.services.audit.denied(this.audit.context(), 'store').catch((err) => this.audit.failed(err));
      }
      // A request recorded on an association closed meanwhile is still reported, on a new one.
      if (!this.closed) callback(response);
      afterResponse?.();
    });
  }

  /** C-MOVE (PS3.4 C.4.2): sub-operations on a new association to the destination. */
  override cMoveRequest(request: requests.CMoveRequest, callback: (responses: responses.CMoveResponse[]) => void): void {
    this.audit.answer(this.retrieves.move(request), 'move', request.getAffectedSopClassUid(), request, this.ifOpen((final) => callback([final])));
  }

  /** C-GET (PS3.4 C.4.3): C-STORE sub-operations on this association, SCP role (PS3.7 D.3.3.4). */
  override cGetRequest(request: requests.CGetRequest, callback: (responses: responses.CGetResponse[]) => void): void {
    this.audit.answer(this.retrieves.get(request), 'get', request.getAffectedSopClassUid(), request, this.ifOpen((final) => callback([final])));
  }

  /** Stops the C-FIND, C-MOVE or C-GET it names; its final response is Cancel (PS3.7 9.3.2.3). */
  override cCancelRequest(request: requests.CCancelRequest): void {
    this.dispatch.cancel(request.getMessageIdBeingRespondedTo());
    this.retrieves.cancel(request.getMessageIdBeingRespondedTo());
  }

  override abort(source: number, reason: number): void {
    this.services.logger.warn({ msg: 'association aborted by peer', callingAe: this.callingAe, source, reason });
    this.cleanUp();
  }

  /** A final response goes nowhere once the association has closed. */
  private ifOpen<R>(send: (response: R) => void): (response: R) => void {
    return (response) => {
      if (!this.closed) send(response);
    };
  }

  private caller(): DimseCaller {
    return { callingAe: this.callingAe, remoteAddress: this.remoteAddress };
  }

  private decideContext(context: PresentationContext): boolean {
    const choice = choosePresentationContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids(), this.services.contexts);
    if (choice.result === ContextResult.Accept) context.setResult(choice.result, choice.transferSyntaxUid);
    else context.setResult(choice.result);
    return choice.result === ContextResult.Accept;
  }

  /** Frees what an aborted or closed association left: a half-received data set, unclaimed blobs. */
  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.artim.stop();
    this.dispatch.cancelAll();
    this.retrieves.cancelAll();
    this.endWith(new Error('association closed'));
    this.stores.close();
    if (this.associated) this.services.tracker.associationClosed();
    this.associated = false;
  }
}
