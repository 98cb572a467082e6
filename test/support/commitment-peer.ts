// The modality side of Storage Commitment (PS3.4 J) for end-to-end tests. DCMTK has no storage
// commitment SCU, so it is dcmjs-dimse on real sockets: a Client sends the N-ACTION, and a Server
// (ModalityScp) stands in for the modality's own SCP where results on a new association arrive.
import type { Socket } from 'node:net';
import { association as dimseAssociation, Client, constants, Dataset, log, requests, responses, Scp } from 'dcmjs-dimse';
import { newUid } from './generator';

export const COMMITMENT = '1.2.840.10008.1.20.1';
export const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';
export const CT = '1.2.840.10008.5.1.4.1.1.2';
export const MR = '1.2.840.10008.5.1.4.1.1.4';
export type Attrs = Record<string, any>;

// dcmjs-dimse logs every PDU of the test's own client and listener at info.
log.setLevel('warn');

/** What the modality's SCP received: each N-EVENT-REPORT with the A-ASSOCIATE-RQ it came on. */
export const received: { eventTypeId: number; attrs: Attrs; callingAe: string; associateRq: Buffer }[] = [];

/** The modality's own DICOM listener: takes storage commitment results (SCU role), nothing else. */
export class ModalityScp extends Scp {
  private associateRq: Buffer = Buffer.alloc(0);
  private callingAe = '';

  constructor(socket: Socket, opts?: ConstructorParameters<typeof Scp>[1]) {
    super(socket, opts);
    socket.once('data', (chunk: Buffer) => (this.associateRq = chunk));
  }

  override associationRequested(association: dimseAssociation.Association): void {
    this.callingAe = association.getCallingAeTitle();
    for (const { context } of association.getPresentationContexts()) {
      if (context.getAbstractSyntaxUid() === COMMITMENT) context.setResult(constants.PresentationContextResult.Accept, context.getTransferSyntaxUids()[0]);
      else context.setResult(constants.PresentationContextResult.RejectAbstractSyntaxNotSupported);
    }
    this.sendAssociationAccept();
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }

  override nEventReportRequest(request: requests.NEventReportRequest, callback: (response: responses.NEventReportResponse) => void): void {
    received.push({ eventTypeId: request.getEventTypeId(), attrs: request.getDataset()?.getElements() ?? {}, callingAe: this.callingAe, associateRq: this.associateRq });
    const response = responses.NEventReportResponse.fromRequest(request);
    response.setStatus(0);
    callback(response);
  }
}

export type Reference = { sopClassUid: string; sopInstanceUid: string };
type Outcome = { actionStatuses: number[]; reportsHere: { eventTypeId: number; attrs: Attrs }[] };

export function action(refs: Reference[], opts: { transactionUid?: string; actionTypeId?: number; dataset?: Attrs } = {}): requests.NActionRequest {
  const request = new requests.NActionRequest(COMMITMENT, COMMITMENT_INSTANCE, opts.actionTypeId ?? 1);
  const attrs = opts.dataset ?? {
    TransactionUID: opts.transactionUid ?? newUid(),
    ReferencedSOPSequence: refs.map((r) => ({ ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid })),
  };
  request.setDataset(new Dataset(attrs, '1.2.840.10008.1.2'));
  return request;
}

/**
 * Sends N-ACTIONs as `callingAe` on one association. With `lingerMs` the association stays open
 * that long after the last response, answering any N-EVENT-REPORT on it; without, it is
 * released at once and reports on it go unanswered.
 */
export function commit(port: number, callingAe: string, actions: requests.NActionRequest[], lingerMs?: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const outcome: Outcome = { actionStatuses: actions.map(() => -1), reportsHere: [] };
    actions.forEach((request, n) => {
      request.on('response', (response: responses.NActionResponse) => (outcome.actionStatuses[n] = response.getStatus()));
      client.addRequest(request);
    });
    client.addRequest(new requests.CEchoRequest());
    // A listener is needed either way: without one the library calls back with no response and throws.
    client.on('nEventReportRequest', (request: requests.NEventReportRequest, callback: (response: responses.NEventReportResponse) => void) => {
      if (lingerMs === undefined) return;
      outcome.reportsHere.push({ eventTypeId: request.getEventTypeId(), attrs: request.getDataset()?.getElements() ?? {} });
      const response = responses.NEventReportResponse.fromRequest(request);
      response.setStatus(0);
      callback(response);
    });
    client.on('networkError', reject);
    client.on('associationRejected', () => reject(new Error('association rejected')));
    client.on('closed', () => resolve(outcome));
    client.send('127.0.0.1', port, callingAe, 'PACS', { associationLingerTimeout: lingerMs ?? 0 });
  });
}

export async function waitFor<T>(find: () => T | undefined, ms = 5_000): Promise<T | undefined> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  return find();
}
