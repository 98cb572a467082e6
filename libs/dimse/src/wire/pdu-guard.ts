import { CommandField, commandName, readCommandElements, RESPONSE_BIT } from './command-set';

const A_ASSOCIATE_RQ = 0x01;
const A_ASSOCIATE_AC = 0x02;
const A_ASSOCIATE_RJ = 0x03;
const P_DATA_TF = 0x04;
const A_RELEASE_RQ = 0x05;
/** PDU types 01H-07H (PS3.8 9.3.1); any other is unrecognized. */
const LAST_PDU_TYPE = 0x07;
/** Command Data Set Type (0000,0800) value meaning "no data set" (PS3.7 E.1-1). */
const NO_DATA_SET = 0x0101;
const ACCEPTED = 0;

export interface MessageLimits {
  /** A command set (PS3.7 E.1): tens to hundreds of bytes in practice. */
  commandBytes: number;
  /** The data set of any message but C-STORE-RQ: a query identifier, an MPPS or a storage commitment. */
  datasetBytes: number;
}

export const MESSAGE_LIMITS: MessageLimits = { commandBytes: 64 * 1024, datasetBytes: 16 * 1024 * 1024 };

/** A-ABORT source (PS3.8 9.3.8 Table 9-26). */
export const AbortSource = { ServiceUser: 0, ServiceProvider: 2 } as const;
/** A-ABORT reason/diagnostic when the source is the service-provider (PS3.8 9.3.8 Table 9-26). */
export const AbortReason = { NotSpecified: 0, UnrecognizedPdu: 1, UnexpectedPdu: 2, UnexpectedPduParameter: 5, InvalidPduParameterValue: 6 } as const;

/** Why an association ends: the A-ABORT to send and what the log line says. */
export interface PduRefusal {
  source: number;
  reason: number;
  why: string;
  /** The peer sent more than we take in (a limit), rather than something DICOM does not allow. */
  tooLarge: boolean;
}

/** What to do with one received PDU: hand it to the library, drop it, or abort the association. */
export type PduVerdict = 'deliver' | 'ignore' | PduRefusal;

/** The presentation contexts of the association as dcmjs-dimse keeps them (result 0: accepted). */
export type NegotiatedContexts = { getPresentationContexts(): { id: number; context: { getResult(): number } }[] } | undefined;

/** What a log line calls a refusal: more than we take in, or what DICOM does not allow. */
export function refusalSummary(refusal: Pick<PduRefusal, 'tooLarge'>): string {
  return refusal.tooLarge ? 'too much data in one PDU or message' : 'a message DICOM does not allow';
}

/** The A-ABORT PDU (PS3.8 9.3.8): type 07H, length 4, two reserved bytes, source, reason. */
export function abortPdu(refusal: Pick<PduRefusal, 'source' | 'reason'>): Buffer {
  return Buffer.from([0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, refusal.source, refusal.reason]);
}

/** The message being received: its command still coming, or the data set its command announced. */
type Receiving = { part: 'command'; contextId: number } | { part: 'data set'; contextId: number; field: number };

/**
 * Follows the PDUs of one connection, and the PDVs of its P-DATA-TF PDUs (PS3.8 9.3.5.1: item
 * length, context id, message control header, of which only bit 0 (command) and bit 1 (last
 * fragment) count, Annex E.2), before dcmjs-dimse sees them. The library trusts every PDU: an
 * unknown type made it throw and drop the connection without an A-ABORT, a second A-ASSOCIATE-RQ
 * was negotiated again over the live association, an A-ASSOCIATE-AC from the requestor rewrote
 * the results of its contexts; a PDV on a context never accepted made it throw (or, on a rejected
 * context, answer it); a data set fragment before its command was glued onto the next command
 * set; a message grew in memory without bound. Here each PDU is delivered, ignored, or refused:
 * - a PDU of unknown type: unrecognized PDU (PS3.8 9.2.3 Evt19, AA-8);
 * - an A-ASSOCIATE-RQ where an association exists, an A-ASSOCIATE-AC or -RJ answering no request
 *   of ours: unexpected PDU (PS3.8 9.2.3, AA-8);
 * - before any association was requested, a P-DATA-TF is refused as PS3.8 AA-1 says (service-user source);
 * - after the peer asked to release, P-DATA-TF are ignored (PS3.8 9.2, Sta13: AA-6);
 * - a PDV that does not fit its PDU, or names a context that was not accepted: invalid PDU parameter value;
 * - a PDV out of order (a data set without its command, a command where a data set was announced,
 *   one message on two contexts): unexpected PDU parameter, as dcm4che does;
 * - a command set that cannot be answered or used (unreadable, without Command Field, Command
 *   Data Set Type, the Message ID a response must name, or a response without Message ID Being
 *   Responded To or Status): aborted by us as the DIMSE user (source 0), as DCMTK and dcm4che do;
 * - a command set or data set past its MessageLimits: the library gathers both in memory.
 * C-STORE data sets stream to a temporary blob, bounded by PACS_MAX_INSTANCE_BYTES there.
 */
export class PduGuard {
  private receiving: Receiving | undefined;
  private command: Buffer[] = [];
  private commandBytes = 0;
  private datasetBytes = 0;
  private releaseRequested = false;
  /** An A-ASSOCIATE-RQ came: this end is the association acceptor. */
  private associationRequested = false;
  /** An A-ASSOCIATE-AC or -RJ came: this end requested the association and was answered. */
  private associationAnswered = false;

  constructor(
    private readonly contexts: () => NegotiatedContexts,
    private readonly limits: MessageLimits = MESSAGE_LIMITS,
  ) {}

  inspect(pdu: Buffer): PduVerdict {
    const type = pdu[0];
    if (type < A_ASSOCIATE_RQ || type > LAST_PDU_TYPE) return refuse(AbortSource.ServiceProvider, AbortReason.UnrecognizedPdu, `a PDU of unknown type 0x${type.toString(16).padStart(2, '0')} (PS3.8 9.3.1)`);
    return type === P_DATA_TF ? this.pData(pdu) : this.control(type);
  }

  private control(type: number): PduVerdict {
    if (type === A_ASSOCIATE_RQ) {
      if (this.associationRequested || this.contexts()) return refuse(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu, 'an A-ASSOCIATE-RQ on a connection that has an association (PS3.8 9.2.3)');
      this.associationRequested = true;
    }
    if (type === A_ASSOCIATE_AC || type === A_ASSOCIATE_RJ) {
      const pdu = type === A_ASSOCIATE_AC ? 'A-ASSOCIATE-AC' : 'A-ASSOCIATE-RJ';
      if (this.associationRequested || this.associationAnswered) return refuse(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu, `an ${pdu} answering no A-ASSOCIATE-RQ of ours (PS3.8 9.2.3)`);
      this.associationAnswered = true;
    }
    if (type === A_RELEASE_RQ) this.releaseRequested = true;
    return 'deliver';
  }

  private pData(pdu: Buffer): PduVerdict {
    if (this.releaseRequested) return 'ignore';
    const contexts = this.contexts();
    if (!contexts) return refuse(AbortSource.ServiceUser, AbortReason.NotSpecified, 'a P-DATA-TF before any association was requested (PS3.8 9.2.3, AA-1)');
    if (pdu.length === 6) return invalid('a P-DATA-TF without PDV items (PS3.8 9.3.5)');
    for (let at = 6; at < pdu.length; ) {
      const itemLength = at + 6 <= pdu.length ? pdu.readUInt32BE(at) : 0;
      if (itemLength < 2 || at + 4 + itemLength > pdu.length) return invalid('a PDV item whose length does not fit its P-DATA-TF (PS3.8 9.3.5.1)');
      const contextId = pdu[at + 4];
      if (!isAccepted(contexts, contextId)) return invalid(`a PDV on presentation context ${contextId}, which was not accepted (PS3.8 9.3.5.1)`);
      const control = pdu[at + 5];
      const fragment = pdu.subarray(at + 6, at + 4 + itemLength);
      const last = (control & 0x02) !== 0;
      const refusal = control & 0x01 ? this.commandFragment(contextId, fragment, last) : this.datasetFragment(contextId, fragment, last);
      if (refusal) return refusal;
      at += 4 + itemLength;
    }
    return 'deliver';
  }

  private commandFragment(contextId: number, fragment: Buffer, last: boolean): PduRefusal | undefined {
    const now = this.receiving;
    if (now?.part === 'data set') return unexpected(`a command fragment on context ${contextId} where the data set of a ${commandName(now.field)} was announced`);
    if (now && now.contextId !== contextId) return unexpected(`a command set begun on presentation context ${now.contextId} and continued on ${contextId}`);
    this.commandBytes += fragment.length;
    if (this.commandBytes > this.limits.commandBytes) return tooLarge(`a command set of more than ${this.limits.commandBytes} bytes`);
    this.command.push(fragment);
    if (!last) {
      this.receiving = { part: 'command', contextId };
      return undefined;
    }
    const command = this.command.length === 1 ? this.command[0] : Buffer.concat(this.command);
    this.command = [];
    this.commandBytes = 0;
    this.datasetBytes = 0;
    const read = readCommand(command);
    if (typeof read === 'string') return refuse(AbortSource.ServiceUser, AbortReason.NotSpecified, read);
    this.receiving = read.announcesDataSet ? { part: 'data set', contextId, field: read.field } : undefined;
    return undefined;
  }

  private datasetFragment(contextId: number, fragment: Buffer, last: boolean): PduRefusal | undefined {
    const now = this.receiving;
    if (now?.part !== 'data set') {
      return unexpected(now ? `a data set fragment on context ${contextId} before its command set ended` : `a data set fragment on context ${contextId} without a command announcing it`);
    }
    if (now.contextId !== contextId) return unexpected(`the data set of a ${commandName(now.field)} on presentation context ${contextId}, its command on ${now.contextId}`);
    if (now.field !== CommandField.CStore) {
      this.datasetBytes += fragment.length;
      if (this.datasetBytes > this.limits.datasetBytes) {
        return tooLarge(`a data set of more than ${this.limits.datasetBytes} bytes with command 0x${now.field.toString(16).padStart(4, '0')}`);
      }
    }
    if (last) {
      this.receiving = undefined;
      this.datasetBytes = 0;
    }
    return undefined;
  }
}

/**
 * The Command Field of a received command set and whether a data set follows, or why no answer
 * to it is possible: a response names its request by Message ID and carries its Status (PS3.7
 * 9.3, 10.3: both mandatory), and Command Data Set Type says whether a data set follows.
 */
function readCommand(bytes: Buffer): { field: number; announcesDataSet: boolean } | string {
  const elements = readCommandElements(bytes);
  if (typeof elements === 'string') return `a command set that cannot be read (PS3.7 6.3.1): ${elements}`;
  const us = (element: number) => elements.get(element)?.readUInt16LE(0);
  const field = us(0x0100);
  if (field === undefined) return 'a command set without Command Field (0000,0100)';
  const name = commandName(field);
  const dataSetType = us(0x0800);
  if (dataSetType === undefined) return `a ${name} without Command Data Set Type (0000,0800)`;
  const response = (field & RESPONSE_BIT) !== 0;
  const answersAnother = response || field === CommandField.CCancel;
  if (answersAnother && us(0x0120) === undefined) return `a ${name} without Message ID Being Responded To (0000,0120)`;
  if (!answersAnother && us(0x0110) === undefined) return `a ${name} without Message ID (0000,0110)`;
  if (response && us(0x0900) === undefined) return `a ${name} without Status (0000,0900)`;
  return { field, announcesDataSet: dataSetType !== NO_DATA_SET };
}

function isAccepted(contexts: NonNullable<NegotiatedContexts>, contextId: number): boolean {
  return contexts.getPresentationContexts().some((pc) => pc.id === contextId && pc.context.getResult() === ACCEPTED);
}

function refuse(source: number, reason: number, why: string): PduRefusal {
  return { source, reason, why, tooLarge: false };
}

function invalid(why: string): PduRefusal {
  return refuse(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue, why);
}

function unexpected(why: string): PduRefusal {
  return refuse(AbortSource.ServiceProvider, AbortReason.UnexpectedPduParameter, why);
}

function tooLarge(why: string): PduRefusal {
  return { source: AbortSource.ServiceProvider, reason: AbortReason.InvalidPduParameterValue, why, tooLarge: true };
}
