import { AuditAction, AuditActionCodeLetter, AuditEventType } from './audit-codes';
import type { AuditEventInput } from './audit-event';

/** What the HTTP hook knows about a finished request, just before its response is sent. */
export interface HttpExchange {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The matched route pattern (`/dicomweb/studies/:study`); undefined when no route matched. */
  route?: string;
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
  status: number;
  username?: string;
  ip?: string;
  /** The response body when it is text (the STOW-RS response names the stored studies). */
  payload?: string;
}

/** The login route audits itself (User Authentication, with the attempted user name). */
const SELF_AUDITED = new Set(['/api/auth/token']);
const QIDO_RESOURCES = new Set(['studies', 'series', 'instances']);
const MUTATIONS: Record<string, AuditActionCodeLetter> = { POST: 'C', PUT: 'U', PATCH: 'U', DELETE: 'D' };

/**
 * Maps an HTTP exchange to its audit event (PS3.15 A.5.3), or undefined for routes not
 * audited (health, metrics, OpenAPI, plain reads of configuration). Every 401 and 403 is a
 * Security Alert, whatever the route.
 */
export function httpAuditEvent(x: HttpExchange): AuditEventInput | undefined {
  if (SELF_AUDITED.has(x.route ?? x.path)) return undefined;
  const base = {
    actor: x.username ?? '',
    actorType: x.username ? ('user' as const) : ('anonymous' as const),
    sourceAddress: x.ip ?? null,
    outcome: outcomeOf(x.status),
    details: { method: x.method, path: x.route ?? x.path, status: x.status },
  };
  if (x.status === 401 || x.status === 403) {
    const type = AuditEventType.UseOfRestrictedFunction;
    return { ...base, action: AuditAction.SecurityAlert, actionCode: 'E', details: { ...base.details, eventType: type } };
  }
  const kind = classify(x);
  if (!kind) return undefined;
  return { ...base, ...kind, details: { ...base.details, ...kind.details }, studyUids: studyUidsOf(x) };
}

type Kind = Pick<AuditEventInput, 'action' | 'actionCode'> & { details?: Record<string, unknown> };

function classify(x: HttpExchange): Kind | undefined {
  const path = x.route ?? x.path;
  const mutation = MUTATIONS[x.method];
  if (path.startsWith('/dicomweb/')) return dicomWebKind(x.method, path);
  if (path.startsWith('/api/audit')) return x.method === 'GET' ? { action: AuditAction.AuditLogUsed, actionCode: 'R' } : undefined;
  if (!mutation) return undefined;
  if (path.startsWith('/api/users')) {
    return { action: AuditAction.SecurityAlert, actionCode: mutation, details: { eventType: AuditEventType.UserSecurityAttributesChanged } };
  }
  if (path.startsWith('/api/peers')) {
    return { action: AuditAction.SecurityAlert, actionCode: mutation, details: { eventType: AuditEventType.NetworkConfiguration } };
  }
  // Worklist items and procedure steps changed by the RIS or a modality (PS3.15 A.5.3.9).
  if (path.startsWith('/api/worklist') || path.startsWith('/api/mpps')) return { action: AuditAction.ProcedureRecord, actionCode: mutation };
  return undefined;
}

/** STOW-RS → Instances Transferred (C), QIDO-RS → Query (E), WADO-RS → Instances Accessed (R), DELETE → Study Deleted (D). */
function dicomWebKind(method: string, path: string): Kind | undefined {
  if (method === 'POST') return { action: AuditAction.InstancesTransferred, actionCode: 'C' };
  if (method === 'DELETE') return { action: AuditAction.StudyDeleted, actionCode: 'D' };
  if (method !== 'GET') return undefined;
  const last = path.split('/').pop() ?? '';
  if (QIDO_RESOURCES.has(last)) return { action: AuditAction.Query, actionCode: 'E' };
  return { action: AuditAction.InstancesAccessed, actionCode: 'R' };
}

/** Study UIDs from the path, a QIDO StudyInstanceUID key, and the RetrieveURLs of a STOW-RS response. */
function studyUidsOf(x: HttpExchange): string[] {
  const uids = new Set<string>();
  if (x.params.study) uids.add(x.params.study);
  const key = x.query.StudyInstanceUID ?? x.query['0020000D'];
  for (const v of [key].flat()) if (typeof v === 'string') v.split(/[,\\]/).filter(Boolean).forEach((u) => uids.add(u));
  if (x.method === 'POST' && x.payload) for (const m of x.payload.matchAll(/\/studies\/([0-9.]+)/g)) uids.add(m[1]);
  return [...uids];
}

/** 2xx success (202, a partial STOW, is a minor failure), 4xx minor, 5xx serious (PS3.15 A.5.1). */
function outcomeOf(status: number): number {
  if (status === 202) return 4;
  if (status < 400) return 0;
  if (status < 500) return 4;
  return 8;
}
