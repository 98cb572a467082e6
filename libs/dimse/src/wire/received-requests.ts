import type { Dataset } from 'dcmjs-dimse';
import { DCMJS_DIMSE_VERSION } from './library-fields';

/** The presentation context dcmjs-dimse 0.3 passes with each received message. */
export interface LibraryContext {
  getPresentationContextId(): number;
  getAbstractSyntaxUid(): string;
}

/** A received message as dcmjs-dimse 0.3 holds it. */
export interface LibraryMessage {
  getCommandDataset(): Dataset;
}

/** What dcmjs-dimse 0.3's Network calls with each complete received message, and sends with. */
interface LibraryNetwork {
  _performDimse?: (context: LibraryContext, message: LibraryMessage) => void;
  _sendDimse?: (dimse: { context: LibraryContext; command: CommandOnly }) => void;
}

/** A response the library sends like its own: a command set and no data set. */
class CommandOnly {
  constructor(private readonly command: Dataset) {}

  getCommandDataset(): Dataset {
    return this.command;
  }

  getDataset(): undefined {
    return undefined;
  }

  toString(): string {
    return `response ${JSON.stringify(this.command.getElements())}`;
  }
}

/**
 * Puts `answer` in front of the library's dispatch on this Network (`_performDimse`, which emits
 * a request to the Scp method of its command). When `answer` returns a response command set, it
 * is sent on the context the request came on, with no data set, and the handler never runs.
 */
export function answerBeforeDispatch(network: object, answer: (context: LibraryContext, message: LibraryMessage) => Dataset | undefined): void {
  const net = network as LibraryNetwork;
  const perform = net._performDimse;
  const send = net._sendDimse;
  if (typeof perform !== 'function' || typeof send !== 'function') {
    throw new Error(`dcmjs-dimse Network has no _performDimse/_sendDimse: check answerBeforeDispatch against ${DCMJS_DIMSE_VERSION}`);
  }
  net._performDimse = (context, message) => {
    const response = answer(context, message);
    if (!response) return perform.call(net, context, message);
    send.call(net, { context, command: new CommandOnly(response) });
  };
}
