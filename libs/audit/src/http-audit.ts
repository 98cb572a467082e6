import type { AuditedEvent, AuditedRoute } from '@pacs/auth';
import { AuditAction, AuditEventType } from './audit-codes';
import type { AuditEventInput } from './audit-event';
import { instancesStoredEvent } from './instances-stored';

/** What the HTTP hook knows about a finished request, just before its response is sent. */
export interface HttpExchange {
  method: string;
  /** The matched route pattern (`/dicomweb/studies/:study`), or the path when no route matched. */
  path: string;
  /** The route's @Audited declaration; undefined for a route without one. */
  audited?: AuditedRoute;
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  status: number;
  username?: string;
  ip?: string;
  /** The studies the handler stored (STOW-RS), from its result. */
  handlerStudies?: readonly string[];
}

type EventType = (typeof AuditEventType)[keyof typeof AuditEventType];

/** Each declarable event's Event ID (PS3.16 CID 400) and, for Security Alerts, its Event Type Code (CID 401). */
const EVENTS: Record<AuditedEvent, { action: string; eventType?: EventType }> = {
  query: { action: AuditAction.Query },
  'instances-accessed': { action: AuditAction.InstancesAccessed },
  'instances-transferred': { action: AuditAction.InstancesTransferred },
  'study-deleted': { action: AuditAction.StudyDeleted },
  // Studies handed out as media (a ZIP with a DICOMDIR): PS3.15 A.5.3.4 Export.
  export: { action: AuditAction.Export },
  'audit-log-used': { action: AuditAction.AuditLogUsed },
  // Worklist items and procedure steps changed by the RIS or a modality.
  'procedure-record': { action: AuditAction.ProcedureRecord },
  'user-security-attributes-changed': { action: AuditAction.SecurityAlert, eventType: AuditEventType.UserSecurityAttributesChanged },
  'network-configuration': { action: AuditAction.SecurityAlert, eventType: AuditEventType.NetworkConfiguration },
  'user-authentication': { action: AuditAction.UserAuthentication, eventType: AuditEventType.Login },
};

/**
 * Maps an HTTP exchange to the audit event its route declares (PS3.15 A.5.3), or undefined for
 * a route that declares none (health, metrics, OpenAPI, plain reads of configuration) or
 * records its own (the login). Every other 401 and 403 is a Security Alert, whatever the route.
 */
export function httpAuditEvent(x: HttpExchange): AuditEventInput | undefined {
  if (x.audited?.recordedByHandler) return undefined;
  const base = {
    actor: x.username ?? '',
    actorType: x.username ? ('user' as const) : ('anonymous' as const),
    sourceAddress: x.ip ?? null,
    outcome: outcomeOf(x.status),
    details: { method: x.method, path: x.path, status: x.status },
  };
  if (x.status === 401 || x.status === 403) {
    const type = AuditEventType.UseOfRestrictedFunction;
    return { ...base, action: AuditAction.SecurityAlert, actionCode: 'E', details: { ...base.details, eventType: type } };
  }
  // A HEAD (Fastify's twin of each GET) sends no data.
  if (!x.audited || x.method === 'HEAD') return undefined;
  const studyUids = studyUidsOf(x, x.audited);
  if (x.audited.event === 'instances-transferred') {
    return instancesStoredEvent({ channel: 'stow', actor: x.username, remoteAddress: x.ip }, { studyUids, outcome: base.outcome, details: base.details });
  }
  const { action, eventType } = EVENTS[x.audited.event];
  const details = eventType ? { ...base.details, eventType } : base.details;
  return { ...base, action, actionCode: x.audited.action, details, studyUids };
}

/** The studies the route declares as its participant objects, each once. */
function studyUidsOf(x: HttpExchange, audited: AuditedRoute): string[] {
  const uids = new Set<string>();
  for (const source of audited.studies ?? []) {
    if (source === 'study-param' && x.params.study) uids.add(x.params.study);
    if (source === 'handler-studies') x.handlerStudies?.forEach((u) => uids.add(u));
    if (source === 'study-query-key') {
      const key = x.query.StudyInstanceUID ?? x.query['0020000D'];
      for (const v of [key].flat()) if (typeof v === 'string') v.split(/[,\\]/).filter(Boolean).forEach((u) => uids.add(u));
    }
  }
  return [...uids];
}

/** 2xx success (202, a partial STOW, is a minor failure), 4xx minor, 5xx serious (PS3.15 A.5.1). */
function outcomeOf(status: number): number {
  if (status === 202) return 4;
  if (status < 400) return 0;
  if (status < 500) return 4;
  return 8;
}
