import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { Dataset, Implementation } from 'dcmjs-dimse';
import { decodeCommandSet, encodeCommandSet } from './command-set';
import { encodeDataset } from './dataset-writer';
import { corkUntilTickEnd, writePData, type PduSink } from './pdata-writer';
import { AbortReason, AbortSource, abortPdu, NegotiatedContexts, PduGuard, PduRefusal } from './pdu-guard';
import { PduAssembler } from './pdu-assembler';

/** What dcmjs-dimse 0.3's Network keeps and calls when it sends a DIMSE message. */
interface LibraryNetwork {
  socket?: PduSink & Pick<NodeJS.EventEmitter, 'listeners' | 'removeAllListeners' | 'on'> & Pick<Socket, 'end' | 'destroy'>;
  statistics?: { addBytesSent(bytes: number): void };
  _sendPDataTF?: (message: LibraryMessage, contextId: number, peerMaxPdu: number) => void;
  _performDimse?: (context: unknown, message: unknown) => void;
  dimseStream?: unknown;
  association?: NegotiatedContexts;
}

interface LibraryMessage {
  getCommandDataset(): { getElements(): Record<string, unknown>; getDenaturalizedCommandDataset(): Buffer };
  getDataset(): Dataset | undefined;
}

/**
 * Makes a dcmjs-dimse Network (our SCP, or the C-MOVE association's client) send and read
 * messages without these costs and faults of its own:
 * - it encodes each data set it sends through dcmjs: with its default `datasetNameMap` of `{}` it
 *   builds `{ ...dcmjs nameMap }` (the whole DICOM dictionary) for every data set (each C-FIND
 *   match, C-STORE sub-operation, N-CREATE/N-SET response; profiled at ~3.6 ms per data set), and
 *   dcmjs cuts a value longer than its VR allows, or throws for it, which drops the association.
 *   Data sets are written by encodeDataset instead, every value as it is.
 * - its `_sendPDataTF` copies every fragment into a newly grown buffer per PDU: a 525 KB instance
 *   to getscu (16 KB PDUs) means 33 copies and ~70 allocations, GC 15% of a C-GET. The same PDUs
 *   go out as headers plus views of the encoded bytes instead (writePData), and what is sent in
 *   one tick leaves in one write (corkUntilTickEnd).
 * - dcmjs allocates zeroed 256 KB buffers to encode each command set, and reads each through its
 *   dictionary (~0.5 ms each way): command sets are encoded and decoded directly (command-set.ts).
 * - it keeps appending every received command set to one stream as long as messages come without
 *   a data set (C-STORE responses to a C-GET or C-MOVE, C-ECHO, C-CANCEL), and parses the whole
 *   stream each time: the 100th response of a C-GET re-read 100 command sets (~1 ms). The stream
 *   is dropped once each message is handed on (`_performDimse`).
 * - it gathers a PDU spread over several socket chunks by concatenating all it has with each new
 *   chunk (a 256 KB PDU in 64 KB reads: 640 KB copied, four external buffers). It gets whole
 *   PDUs instead, cut by PduAssembler with at most one copy.
 * - its `memorystream` gathers each received command set with the deprecated `new Buffer()`, for
 *   which Node walks the stack (is the caller in node_modules?) on each of the first 10,000 calls:
 *   ~65 µs per C-STORE response of a C-MOVE or C-GET. It uses Buffer.concat instead.
 * The library's transcoding and flow are unchanged: `_sendDimse` still decides the transfer
 * syntax and calls `_sendPDataTF`, which is replaced on this instance.
 */
export function leanMessageCoding(network: object, onAbort?: (refusal: PduRefusal) => void): void {
  readCommandSetsDirectly();
  gatherStreamsWithoutDeprecatedBuffer();
  const net = network as LibraryNetwork;
  if (typeof net._sendPDataTF !== 'function') throw new Error('dcmjs-dimse Network has no _sendPDataTF: check leanMessageCoding against this version');
  deliverWholePdus(net, onAbort);
  const perform = net._performDimse;
  if (typeof perform !== 'function') throw new Error('dcmjs-dimse Network has no _performDimse: check leanMessageCoding against this version');
  net._performDimse = function (this: LibraryNetwork, context, message) {
    this.dimseStream = undefined;
    perform.call(this, context, message);
  };
  net._sendPDataTF = function (this: LibraryNetwork, message, contextId, peerMaxPdu) {
    const socket = this.socket;
    if (!socket) throw new Error('no socket to send on');
    const command = message.getCommandDataset();
    const commandBytes = encodeCommandSet(command.getElements()) ?? command.getDenaturalizedCommandDataset();
    // Before the command goes out: a data set that cannot be written leaves nothing half sent.
    const dataset = message.getDataset();
    const datasetBytes = dataset && encodeDataset(dataset).bytes;
    corkUntilTickEnd(socket);
    let sent = writePData(socket, contextId, commandBytes, true, peerMaxPdu);
    if (datasetBytes) sent += writePData(socket, contextId, datasetBytes, false, peerMaxPdu);
    this.statistics?.addBytesSent(sent);
  };
}

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
let commandSetsReadDirectly = false;

/**
 * dcmjs-dimse reads every received command set with `new Dataset(bytes)` (implicit VR little
 * endian); its `_fromElementsBuffer` now tries decodeCommandSet first. A data set never starts
 * with group 0000, so data sets still go to dcmjs.
 */
function readCommandSetsDirectly(): void {
  if (commandSetsReadDirectly) return;
  type Parse = (bytes: Buffer, transferSyntaxUid: string, options: unknown) => Record<string, unknown>;
  const prototype = Dataset.prototype as unknown as { _fromElementsBuffer?: Parse };
  const library = prototype._fromElementsBuffer;
  if (typeof library !== 'function') throw new Error('dcmjs-dimse Dataset has no _fromElementsBuffer: check readCommandSetsDirectly against this version');
  prototype._fromElementsBuffer = function (this: Dataset, bytes, transferSyntaxUid, options) {
    return (transferSyntaxUid === IMPLICIT_VR_LITTLE_ENDIAN && decodeCommandSet(bytes)) || library.call(this, bytes, transferSyntaxUid, options);
  };
  commandSetsReadDirectly = true;
}

let streamsGathered = false;

/** memorystream 0.3's toBuffer, the same bytes through Buffer.concat instead of `new Buffer()` (DEP0005). */
function gatherStreamsWithoutDeprecatedBuffer(): void {
  if (streamsGathered) return;
  type Gather = { toBuffer?: unknown };
  type MemoryStream = { new (): object; createReadStream(): object; createWriteStream(): object };
  const memoryStream = createRequire(require.resolve('dcmjs-dimse'))('memorystream') as MemoryStream;
  // Its three stream classes are not exported; each instance leads to one of their prototypes.
  const prototypes = [new memoryStream(), memoryStream.createReadStream(), memoryStream.createWriteStream()].map((s) => Object.getPrototypeOf(s) as Gather);
  if (!prototypes.every((p) => typeof p.toBuffer === 'function')) throw new Error('memorystream has no toBuffer: check gatherStreamsWithoutDeprecatedBuffer against this version');
  for (const prototype of prototypes) {
    prototype.toBuffer = function (this: { queue: (Buffer | string)[] }): Buffer {
      return Buffer.concat(this.queue.map((data) => (Buffer.isBuffer(data) ? data : Buffer.from(data))));
    };
  }
  streamsGathered = true;
}

/** How long the peer has to read our A-ABORT before the connection is cut. */
const ABORT_LINGER_MS = 1000;

/**
 * Puts a PduAssembler and a PduGuard between the socket and the 'data' listener the library
 * registered. The assembler refuses a PDU longer than the Maximum Length we announce plus its
 * header (for a P-DATA-TF that breaks PS3.8 D.1, and DCMTK refuses it too; no other PDU comes
 * near it: an A-ASSOCIATE-RQ proposing every storage SOP class is ~20 KB); the guard checks each
 * PDU against the association and the messages before it. A refusal ends the connection
 * with the A-ABORT it names.
 */
function deliverWholePdus(net: LibraryNetwork, onAbort?: (refusal: PduRefusal) => void): void {
  const socket = net.socket;
  if (!socket) return;
  const library = socket.listeners('data') as ((chunk: Buffer) => void)[];
  if (library.length === 0) throw new Error('dcmjs-dimse Network listens to no socket data: check leanMessageCoding against this version');
  socket.removeAllListeners('data');
  const guard = new PduGuard(() => net.association);
  let aborted = false;
  // After the A-ABORT, what the peer still sends is read and dropped rather than left unread:
  // a paused socket would not see the peer close it, and the association would count against
  // PACS_DIMSE_MAX_ASSOCIATIONS for the whole linger instead of until the peer hangs up.
  const abort = (refusal: PduRefusal) => {
    aborted = true;
    onAbort?.(refusal);
    socket.removeAllListeners('data');
    socket.on('data', () => undefined);
    socket.end(abortPdu(refusal));
    setTimeout(() => socket.destroy(), ABORT_LINGER_MS).unref();
  };
  const assembler = new PduAssembler(
    (pdu) => {
      if (aborted) return;
      const verdict = guard.inspect(pdu);
      if (verdict === 'ignore') return;
      if (verdict !== 'deliver') return abort(verdict);
      for (const listener of library) listener.call(socket, pdu);
    },
    Implementation.getMaxPduLength() + 6,
    (type, declared, limit) =>
      abort({
        source: AbortSource.ServiceProvider,
        reason: AbortReason.InvalidPduParameterValue,
        why: `a PDU of type 0x${type.toString(16).padStart(2, '0')} declares ${declared} bytes, more than the ${limit} accepted (PS3.8 D.1)`,
        tooLarge: true,
      }),
  );
  socket.on('data', (chunk: Buffer) => assembler.push(chunk));
}
