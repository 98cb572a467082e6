import type { FastifyRequest } from 'fastify';

/**
 * The PS3.15 A.5.3 audit events an HTTP route can declare, named after their PS3.16 CID 400
 * meanings; @pacs/audit maps each to its Event ID (and Event Type Code, CID 401/402). They live
 * here, beside the permission a route declares, because auth's own routes are audited and
 * @pacs/audit depends on auth (its API is guarded), as with LOGIN_AUDIT.
 */
export type AuditedEvent =
  | 'query'
  | 'instances-accessed'
  | 'instances-transferred'
  | 'study-deleted'
  | 'export'
  | 'audit-log-used'
  | 'procedure-record'
  | 'user-security-attributes-changed'
  | 'network-configuration'
  | 'user-authentication';

/** PS3.15 A.5.1 EventActionCode: Create, Read, Update, Delete, Execute. */
export type AuditedAction = 'C' | 'R' | 'U' | 'D' | 'E';

/**
 * Where the studies of the event (its participant objects, PS3.15 A.5.3) come from: the
 * `study` route parameter, the QIDO-RS StudyInstanceUID key (PS3.18 8.3.4.1), or the studies
 * the handler names from its result (the studies it stored or exported; set with auditStudies).
 */
export type AuditedStudySource = 'study-param' | 'study-query-key' | 'handler-studies';

export interface AuditedRoute {
  event: AuditedEvent;
  action: AuditedAction;
  studies?: readonly AuditedStudySource[];
  /** The handler records the event itself (the login, with the attempted user name): the hook records nothing for it, not even a 401. */
  recordedByHandler?: boolean;
}

/** Where Nest's RouteConfig keeps a handler's Fastify route config (not exported by the package; audited.decorator.spec checks the two agree). */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';
/** Fastify route config of an @Audited route: the audit hook reads it for every response, the guards' 401 and 403 included. */
const AUDITED_ROUTE_CONFIG = 'pacsAudited';
const HANDLER_STUDIES = Symbol('pacs:audit:handler-studies');

/**
 * Declares the audit event of a route, beside its @RequirePermission (as dicom-server's
 * [AuditEventType]). A route without it leaves no event, except a Security Alert when it
 * refuses the caller (401, 403).
 */
export const Audited = (event: AuditedEvent, action: AuditedAction, options: Omit<AuditedRoute, 'event' | 'action'> = {}): MethodDecorator => {
  const declaration: AuditedRoute = { event, action, ...options };
  return mergeRouteConfig({ [AUDITED_ROUTE_CONFIG]: declaration });
};

/** The audit declaration of a controller's handler (the route table's view of what auditedRoute reads per request). */
export function auditedHandler(handler: object): AuditedRoute | undefined {
  const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as Record<string, unknown> | undefined;
  return config?.[AUDITED_ROUTE_CONFIG] as AuditedRoute | undefined;
}

/**
 * Adds to a handler's Fastify route config rather than replacing it (Nest's RouteConfig sets
 * the whole object), so @Public and @Audited can stand on one route in any order. On a
 * controller it does nothing: Fastify sees route config of handlers only.
 */
export function mergeRouteConfig(config: Record<string, unknown>): MethodDecorator & ClassDecorator {
  return ((_target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const handler = descriptor?.value as object | undefined;
    if (!handler) return;
    const current = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...current, ...config }, handler);
  }) as MethodDecorator & ClassDecorator;
}

/** The audit declaration of the request's route, or undefined when it has none. */
export function auditedRoute(request: FastifyRequest): AuditedRoute | undefined {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return config?.[AUDITED_ROUTE_CONFIG] as AuditedRoute | undefined;
}

/** The studies a handler stored or exported, for its route's event ('handler-studies'): from its result, never parsed back out of the response. */
export function auditStudies(request: FastifyRequest, studyUids: readonly string[]): void {
  (request as unknown as Record<symbol, readonly string[]>)[HANDLER_STUDIES] = studyUids;
}

export function handlerStudiesOf(request: FastifyRequest): readonly string[] {
  return (request as unknown as Record<symbol, readonly string[] | undefined>)[HANDLER_STUDIES] ?? [];
}
