import { Dataset } from 'dcmjs-dimse';
import { CommandField, commandName, RESPONSE_BIT } from '../wire/command-set';
import { errorComment } from '../dimse-status';
import { Refusal, screenRequest } from './request-screen';
import { answerBeforeDispatch, LibraryContext, LibraryMessage } from '../wire/received-requests';
import type { ScpServices } from './scp-services';

/** Where refusals are told: a log line each, and refused C-STOREs counted as refused instances. */
type RefusalLog = Pick<ScpServices, 'logger' | 'metrics'>;

/**
 * Screens each request an association receives (screenRequest) before dcmjs-dimse hands it to
 * its handler. The library's `_performDimse` emits a request to the Scp method of its command,
 * drops one whose Command Field it does not know (no response at all), and never compares the
 * SOP class with the presentation context. A refused request is answered here, on the context it
 * came on, with its failure status and Error Comment; the handler never runs.
 */
export class RequestGate {
  constructor(
    private readonly served: (abstractSyntax: string) => readonly number[],
    private readonly log: RefusalLog,
    private readonly callingAe: () => string,
  ) {}

  /** The refusal of a received message, undefined when it is served (or is no request to answer). */
  refusal(context: LibraryContext, message: LibraryMessage): Refusal | undefined {
    const elements = message.getCommandDataset().getElements();
    const field = elements.CommandField as number;
    if (field & RESPONSE_BIT || field === CommandField.CCancel) return undefined;
    const abstractSyntax = context.getAbstractSyntaxUid();
    return screenRequest({ field, elements }, { id: context.getPresentationContextId(), abstractSyntax }, this.served(abstractSyntax));
  }

  /**
   * Puts the screen in front of the library's dispatch on this Network. Install it before
   * leanMessageCoding, whose own `_performDimse` step (dropping the received command stream) must
   * run for refused requests too.
   */
  install(network: object): void {
    answerBeforeDispatch(network, (context, message) => {
      const refusal = this.refusal(context, message);
      if (!refusal) return undefined;
      const elements = message.getCommandDataset().getElements();
      const field = elements.CommandField as number;
      this.logRefusal(field, elements, context, refusal);
      return responseCommand(field, elements, refusal);
    });
  }

  private logRefusal(field: number, elements: Record<string, unknown>, context: LibraryContext, { status, comment }: Refusal): void {
    this.log.logger.warn({
      msg: `${commandName(field)} refused`,
      status: `0x${status.toString(16).padStart(4, '0').toUpperCase()}`,
      reason: comment,
      presentationContext: context.getPresentationContextId(),
      abstractSyntax: context.getAbstractSyntaxUid(),
      sopClassUid: elements.AffectedSOPClassUID ?? elements.RequestedSOPClassUID,
      callingAe: this.callingAe(),
    });
    if (field === CommandField.CStore) this.log.metrics?.instancesRefused.inc({ channel: 'dimse', reason: 'bad-request' });
  }
}

/**
 * The response command set (PS3.7 9.3, 10.3): the request's Command Field with bit 15 set, its
 * Message ID, no data set, the status and Error Comment, and the SOP class and instance the
 * request named, as Affected (a response names them so, DIMSE-C and DIMSE-N alike).
 */
function responseCommand(field: number, request: Record<string, unknown>, refusal: Refusal): Dataset {
  return new Dataset({
    CommandField: field | RESPONSE_BIT,
    MessageIDBeingRespondedTo: request.MessageID,
    CommandDataSetType: 0x0101,
    Status: refusal.status,
    ErrorComment: errorComment(refusal.comment),
    AffectedSOPClassUID: request.AffectedSOPClassUID || request.RequestedSOPClassUID || undefined,
    AffectedSOPInstanceUID: request.AffectedSOPInstanceUID || request.RequestedSOPInstanceUID || undefined,
  });
}
