import { Injectable } from '@nestjs/common';
import type { IngestOutcome } from '@pacs/index';
import { AuditAction, AuditActionCodeLetter, AuditEventType, AuditOutcome } from './audit-codes';
import type { AuditEvent, AuditEventInput } from './audit-event';
import { AuditService } from './audit.service';
import { instanceStoredEvent } from './instances-stored';

/** Who is on the other end of an association. */
export interface DimseAuditContext {
  callingAe: string;
  calledAe?: string;
  remoteAddress?: string;
}

/** A C-FIND, C-MOVE or C-GET (or worklist query) to audit; `status` is the final DIMSE status. */
export interface DimseOperationFacts {
  status: number;
  studyUids?: readonly string[];
  patientId?: string;
  details?: Record<string, unknown>;
}

/**
 * The DIMSE side of the audit trail (PS3.15 A.5.3): one method per operation, each resolving
 * once the event is committed, so the SCP can answer after it. Association and C-ECHO events
 * are recorded the same way; the SCP decides whether to wait.
 */
@Injectable()
export class DimseAuditor {
  constructor(private readonly audit: AuditService) {}

  /** Accepted: the calling AE authenticated (110114, Login); refused: Security Alert (Node Authentication). */
  association(ctx: DimseAuditContext, accepted: boolean, why?: string): Promise<AuditEvent> {
    if (accepted) return this.record(ctx, AuditAction.UserAuthentication, 'E', AuditOutcome.Success, { eventType: AuditEventType.Login, calledAe: ctx.calledAe });
    return this.record(ctx, AuditAction.SecurityAlert, 'E', AuditOutcome.MinorFailure, { eventType: AuditEventType.NodeAuthentication, calledAe: ctx.calledAe, reason: why });
  }

  /** C-ECHO (PS3.4 A.4): application activity of the peer. */
  echo(ctx: DimseAuditContext, status: number): Promise<AuditEvent> {
    return this.record(ctx, AuditAction.ApplicationActivity, 'E', outcomeOf(status), { service: 'echo', status });
  }

  /** A C-STORE acknowledged with Success whose event the index commit did not carry (a kept duplicate). */
  stored(ctx: DimseAuditContext, instance: IngestOutcome): Promise<AuditEvent> {
    return this.audit.record(instanceStoredEvent({ channel: 'dimse', actor: ctx.callingAe, remoteAddress: ctx.remoteAddress }, instance));
  }

  /** A C-STORE answered with a failure status. */
  storeFailed(ctx: DimseAuditContext, sopInstanceUid: string, status: number): Promise<AuditEvent> {
    return this.record(ctx, AuditAction.InstancesTransferred, 'C', outcomeOf(status), { service: 'store', sopInstanceUid, status });
  }

  /** A service the peer may not use (AE policy): Security Alert, Use of Restricted Function. */
  denied(ctx: DimseAuditContext, service: string): Promise<AuditEvent> {
    return this.record(ctx, AuditAction.SecurityAlert, 'E', AuditOutcome.MinorFailure, { eventType: AuditEventType.UseOfRestrictedFunction, service });
  }

  /** C-FIND, including Modality Worklist queries: Query (PS3.15 A.5.3.10). */
  query(ctx: DimseAuditContext, facts: DimseOperationFacts & { service?: 'find' | 'worklist' }): Promise<AuditEvent> {
    return this.operation(ctx, AuditAction.Query, 'E', { service: facts.service ?? 'find', ...facts.details }, facts);
  }

  /** C-MOVE or C-GET as the sender: Instances Transferred, Read (PS3.15 A.5.3.4). */
  retrieve(ctx: DimseAuditContext, facts: DimseOperationFacts & { service: 'move' | 'get'; destination?: string }): Promise<AuditEvent> {
    return this.operation(ctx, AuditAction.InstancesTransferred, 'R', { service: facts.service, destination: facts.destination, ...facts.details }, facts);
  }

  /** MPPS N-CREATE (C) and N-SET (U): Procedure Record (PS3.15 A.5.3.9). */
  procedureStep(ctx: DimseAuditContext, facts: DimseOperationFacts & { actionCode: 'C' | 'U' }): Promise<AuditEvent> {
    return this.operation(ctx, AuditAction.ProcedureRecord, facts.actionCode, { service: 'mpps', ...facts.details }, facts);
  }

  private operation(ctx: DimseAuditContext, action: string, code: AuditActionCodeLetter, details: Record<string, unknown>, facts: DimseOperationFacts): Promise<AuditEvent> {
    return this.record(ctx, action, code, outcomeOf(facts.status), { ...details, status: facts.status }, { studyUids: facts.studyUids, patientId: facts.patientId });
  }

  private record(
    ctx: DimseAuditContext,
    action: string,
    actionCode: AuditActionCodeLetter,
    outcome: number,
    details: Record<string, unknown>,
    subject: Pick<AuditEventInput, 'studyUids' | 'patientId'> = {},
  ): Promise<AuditEvent> {
    return this.audit.record({ actor: ctx.callingAe, actorType: 'ae', sourceAddress: ctx.remoteAddress ?? null, action, actionCode, outcome, details, ...subject });
  }
}

/**
 * DIMSE status → EventOutcomeIndicator: Success and Pending 0; Warning (0x0001, 0xBxxx) and
 * Cancel 4; Refused (0x01xx, 0xA7xx) and other failures 8 (PS3.7 C.1.2 status classes).
 */
function outcomeOf(status: number): number {
  if (status === 0x0000 || status === 0xff00 || status === 0xff01) return AuditOutcome.Success;
  if (status === 0x0001 || status === 0xfe00 || (status & 0xf000) === 0xb000) return AuditOutcome.MinorFailure;
  return AuditOutcome.SeriousFailure;
}
