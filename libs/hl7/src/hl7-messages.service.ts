import { Hl7Message } from '@medplum/core';
import { Injectable, Logger } from '@nestjs/common';
import type { AuditActionCodeLetter } from '@pacs/audit';
import { PacsConfig } from '@pacs/config';
import { AckContent, buildAck } from './hl7-ack';
import { Hl7AuditFacts, Hl7Auditor } from './hl7-auditor';
import { decodeFrame, DEFAULT_DELIMITERS, delimitersOf } from './hl7-encoding';
import { Hl7Error, Hl7ErrorCode } from './hl7-errors';
import { Hl7Input, value } from './hl7-fields';
import { Hl7PatientHandler } from './hl7-patient.handler';
import { Hl7Outcome, Hl7WorklistHandler } from './hl7-worklist.handler';

/** The message types and events handled (MSH-9.1^MSH-9.2). */
const SUPPORTED: Record<string, string[]> = { ORM: ['O01'], OMI: ['O23'], ADT: ['A08', 'A40'] };

/** Who sent a message and what it is, from its header. */
interface Received {
  sender: string;
  messageType: string;
  controlId: string;
}

/**
 * One HL7 message in, one acknowledgment out (HL7 v2.5 2.9.2, original mode), whatever the
 * bytes: an unreadable header or an unsupported type is AR, a content error AE with ERR, an
 * internal error AE 207; every message is audited before its answer is returned.
 */
@Injectable()
export class Hl7Messages {
  private readonly log = new Logger('Hl7');

  constructor(
    private readonly config: PacsConfig,
    private readonly orders: Hl7WorklistHandler,
    private readonly patients: Hl7PatientHandler,
    private readonly auditor: Hl7Auditor,
  ) {}

  /** The ACK to one frame, encoded as the frame was. */
  async handle(frame: Buffer, remoteAddress?: string): Promise<Buffer> {
    const { text, encoding } = decodeFrame(frame);
    const delimiters = delimitersOf(text);
    if (!delimiters) return this.reject(remoteAddress, encoding, 'no valid MSH segment (MSH-1 and MSH-2 encoding characters)');
    let message: Hl7Message;
    try {
      message = Hl7Message.parse(text);
    } catch {
      return this.reject(remoteAddress, encoding, 'no valid MSH segment');
    }
    const header = message.header;
    const received: Received = {
      sender: `${value(header, delimiters, 3)}^${value(header, delimiters, 4)}`,
      messageType: `${value(header, delimiters, 9, 1)}^${value(header, delimiters, 9, 2)}`,
      controlId: value(header, delimiters, 10),
    };
    const input = { message, delimiters };
    const { ack, facts } = await this.process(input, received, remoteAddress);
    await this.auditor.record(facts);
    this.log.log({ msg: 'HL7 message answered', messageType: received.messageType, controlId: received.controlId, sender: received.sender, ack: ack.code, remoteAddress });
    return Buffer.from(buildAck(header, delimiters, ack, this.config.dimse.aeTitle), encoding);
  }

  private async process(input: Hl7Input, r: Received, remoteAddress?: string): Promise<{ ack: AckContent; facts: Hl7AuditFacts }> {
    const base = { sender: r.sender, remoteAddress, details: { messageType: r.messageType, controlId: r.controlId } };
    const [type, event] = r.messageType.split('^');
    const kind = type === 'ADT' ? ('patient' as const) : ('order' as const);
    const fail = (err: Hl7Error, what: Hl7AuditFacts['kind'], internal = false) => ({
      ack: { code: err.ack, text: err.message, error: { code: err.code, location: err.location } },
      facts: { ...base, kind: what, actionCode: intendedAction(input, what), ack: err.ack, internal, patientId: patientIdOf(input) || undefined, details: { ...base.details, error: err.message } },
    });
    if (!this.allowed(r.sender)) {
      return fail(new Hl7Error('AR', Hl7ErrorCode.TableValueNotFound, `sender ${r.sender} is not in PACS_HL7_ALLOWED_SENDERS`, { segment: 'MSH', field: 3 }), 'denied');
    }
    const unsupported = this.unsupported(input, type, event);
    if (unsupported) return fail(unsupported, 'rejected');
    try {
      const outcome: Hl7Outcome =
        type === 'ADT' ? await this.patients.patient(input, event as 'A08' | 'A40', { username: r.sender, ip: remoteAddress, actorType: 'system' }) : await this.orders.order(input, r.sender);
      const err = outcome.error;
      const ack: AckContent = err ? { code: err.ack, text: err.message, error: { code: err.code, location: err.location } } : { code: 'AA' };
      const internal = err?.code === Hl7ErrorCode.ApplicationInternalError;
      const details = { ...base.details, ...outcome.details, ...(err ? { error: err.message } : {}) };
      return { ack, facts: { ...base, kind, ack: ack.code, internal, actionCode: outcome.actionCode, patientId: outcome.patientId, studyUids: outcome.studyUids, details } };
    } catch (err) {
      if (err instanceof Hl7Error) return fail(err, kind);
      this.log.error({ msg: 'HL7 message failed', messageType: r.messageType, controlId: r.controlId, err: String(err), stack: (err as Error).stack });
      return fail(new Hl7Error('AE', Hl7ErrorCode.ApplicationInternalError, 'internal error; the message was not processed'), kind, true);
    }
  }

  /** AR for a type, event or version this PACS does not take (HL7 v2.5 2.9.2: MSH errors). */
  private unsupported(input: Hl7Input, type: string, event: string): Hl7Error | undefined {
    const version = value(input.message.header, input.delimiters, 12, 1);
    if (version && !version.startsWith('2.')) return new Hl7Error('AR', Hl7ErrorCode.UnsupportedVersionId, `version ${version} is not supported (2.x)`, { segment: 'MSH', field: 12 });
    if (!SUPPORTED[type]) return new Hl7Error('AR', Hl7ErrorCode.UnsupportedMessageType, `message type ${type || '(none)'} is not supported (ORM, OMI, ADT)`, { segment: 'MSH', field: 9, component: 1 });
    if (!SUPPORTED[type].includes(event)) {
      return new Hl7Error('AR', Hl7ErrorCode.UnsupportedEventCode, `event ${type}^${event} is not supported (${SUPPORTED[type].map((e) => `${type}^${e}`).join(', ')})`, { segment: 'MSH', field: 9, component: 2 });
    }
    return undefined;
  }

  /** MSH-3^MSH-4 against PACS_HL7_ALLOWED_SENDERS (`*`: any). */
  private allowed(sender: string): boolean {
    const senders = this.config.hl7.allowedSenders ?? [];
    return senders.includes('*') || senders.includes(sender);
  }

  /** AR to a frame without a readable header: default delimiters, no MSA-2 (there is no control ID). */
  private async reject(remoteAddress: string | undefined, encoding: BufferEncoding, why: string): Promise<Buffer> {
    await this.auditor.record({ sender: '', remoteAddress, kind: 'rejected', actionCode: 'E', ack: 'AR', details: { error: why } });
    this.log.warn({ msg: 'HL7 frame rejected', why, remoteAddress });
    return Buffer.from(buildAck(undefined, DEFAULT_DELIMITERS, { code: 'AR', text: why, error: { code: Hl7ErrorCode.SegmentSequenceError, location: { segment: 'MSH' } } }, this.config.dimse.aeTitle), encoding);
  }

  /** AR to a frame over the size cap, answered from its head (the MSH segment, when readable). */
  async oversized(head: Buffer, maxBytes: number, remoteAddress?: string): Promise<Buffer> {
    const { text, encoding } = decodeFrame(head);
    const mshText = text.split(/[\r\n]/)[0];
    const delimiters = delimitersOf(mshText);
    const why = `message larger than ${maxBytes} bytes; not processed`;
    let header: Hl7Message['header'] | undefined;
    try {
      header = delimiters ? Hl7Message.parse(mshText).header : undefined;
    } catch {
      header = undefined;
    }
    const d = delimiters ?? DEFAULT_DELIMITERS;
    const sender = header ? `${value(header, d, 3)}^${value(header, d, 4)}` : '';
    await this.auditor.record({ sender, remoteAddress, kind: 'rejected', actionCode: 'E', ack: 'AR', details: { error: why, controlId: header ? value(header, d, 10) : undefined } });
    this.log.warn({ msg: 'HL7 frame too large', maxBytes, sender, remoteAddress });
    return Buffer.from(buildAck(header, d, { code: 'AR', text: why, error: { code: Hl7ErrorCode.ApplicationInternalError } }, this.config.dimse.aeTitle), encoding);
  }
}

/** The action a refused message asked for (PS3.15 A.5.1 EventActionCode): ORC-1 NW C, XO U, CA/OC D; ADT U; else E. */
function intendedAction(input: Hl7Input, kind: Hl7AuditFacts['kind']): AuditActionCodeLetter {
  if (kind === 'patient') return 'U';
  if (kind !== 'order') return 'E';
  const codes: Record<string, AuditActionCodeLetter> = { NW: 'C', XO: 'U', CA: 'D', OC: 'D' };
  return codes[value(input.message.getSegment('ORC'), input.delimiters, 1)] ?? 'E';
}

function patientIdOf(input: Hl7Input): string {
  return value(input.message.getSegment('PID'), input.delimiters, 3, 1);
}
