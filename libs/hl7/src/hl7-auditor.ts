import { Injectable, Logger } from '@nestjs/common';
import { AuditAction, AuditActionCodeLetter, AuditEventType, AuditOutcome, AuditService } from '@pacs/audit';
import type { AckCode } from './hl7-ack';

/** What one message did, for its audit event. */
export interface Hl7AuditFacts {
  /** MSH-3^MSH-4 of the message, '' when it had no readable header. */
  sender: string;
  remoteAddress?: string;
  /**
   * order: a worklist item created, changed or cancelled (ORM, OMI); patient: the worklist
   * items' and stored studies' patient corrected or merged (ADT; the corrections of stored
   * studies record their own events too, libs/corrections); denied: a sender not in PACS_HL7_ALLOWED_SENDERS;
   * rejected: a message that could not be read or is of a type not supported.
   */
  kind: 'order' | 'patient' | 'denied' | 'rejected';
  actionCode: AuditActionCodeLetter;
  ack: AckCode;
  /** An error the sender did not cause (the ACK is AE 207). */
  internal?: boolean;
  patientId?: string;
  studyUids?: readonly string[];
  details: Record<string, unknown>;
}

/**
 * Every HL7 message is one audit event (PS3.15 A.5.3), recorded before it is acknowledged:
 * - orders are Procedure Record (A.5.3.9), as POST/PUT/DELETE /api/worklist are: what the PACS
 *   keeps of an order is the requested procedure and its scheduled steps (C new, U change, D cancel);
 * - ADT A08 and A40 are Patient Record (A.5.3.7), Update: the patient's demographics or identity;
 *   the message's event names the worklist items' and studies' UIDs, and each correction or
 *   merge of stored studies adds its own event (operation, old and new values, instances rewritten);
 * - an unknown sender is a Security Alert (A.5.3.11), Node Authentication, as a refused association;
 * - an unreadable or unsupported message is a Security Alert without a type: input nobody agreed on.
 * Outcome: AA success, AE/AR minor failure, an internal error serious failure (A.5.1).
 */
@Injectable()
export class Hl7Auditor {
  private readonly log = new Logger('Hl7');

  constructor(private readonly audit: AuditService) {}

  /** Resolves once the event is committed; a failure is logged, the answer still goes out. */
  async record(facts: Hl7AuditFacts): Promise<void> {
    const action = { order: AuditAction.ProcedureRecord, patient: AuditAction.PatientRecord, denied: AuditAction.SecurityAlert, rejected: AuditAction.SecurityAlert }[facts.kind];
    const outcome = facts.internal ? AuditOutcome.SeriousFailure : facts.ack === 'AA' ? AuditOutcome.Success : AuditOutcome.MinorFailure;
    const eventType = facts.kind === 'denied' ? { eventType: AuditEventType.NodeAuthentication } : {};
    try {
      await this.audit.record({
        actor: facts.sender,
        actorType: 'system',
        sourceAddress: facts.remoteAddress ?? null,
        action,
        actionCode: facts.actionCode,
        outcome,
        patientId: facts.patientId,
        studyUids: facts.studyUids,
        details: { channel: 'hl7', ack: facts.ack, ...eventType, ...facts.details },
      });
    } catch (err) {
      this.log.error({ msg: 'HL7 audit event not recorded', kind: facts.kind, err: String(err) });
    }
  }
}
