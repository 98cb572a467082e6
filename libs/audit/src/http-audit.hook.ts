import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditedRoute, handlerStudiesOf } from '@pacs/auth';
import { AuditService } from './audit.service';
import { httpAuditEvent } from './http-audit';

/**
 * Records the event each route declares with @Audited (read from its Fastify route config), and
 * a Security Alert for every refusal. A Fastify onSend hook rather than a Nest interceptor: it
 * runs for every response, including the 401/403 of the guards (which run before
 * interceptors) and the handlers that stream through @Res() (which send before an interceptor
 * sees the result), and Fastify waits for it, so no response leaves before its event is committed. If the event
 * cannot be written (the database is down: text it cannot hold is escaped in stagedEvent, and
 * a bad event fails only itself) a success becomes a 500, never an unaudited success; a
 * refusal or error (4xx, 5xx) is sent as it is, since it gives nothing away, and the missing
 * event is logged.
 */
@Injectable()
export class HttpAuditHook implements OnModuleInit {
  private readonly log = new Logger('Audit');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    // Absent in an application context without HTTP (integration specs, the CLI).
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addHook) return;
    // Hooks reach every route of the root context when Fastify boots (preReady), so adding it
    // here, after Nest registered the routes, still covers them all.
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const event = httpAuditEvent({
        method: request.method,
        path: request.routeOptions?.url ?? request.url.split('?')[0],
        audited: auditedRoute(request),
        params: (request.params ?? {}) as Record<string, string | undefined>,
        query: (request.query ?? {}) as Record<string, unknown>,
        status: reply.statusCode,
        username: (request as FastifyRequest & { user?: { username?: string } }).user?.username,
        ip: request.ip,
        handlerStudies: handlerStudiesOf(request),
      });
      if (!event) return payload;
      try {
        await this.audit.record(event);
        return payload;
      } catch (err) {
        if (reply.statusCode < 400) return this.refuse(request, reply, payload, err);
        this.log.error({ msg: 'audit event not recorded: refusal sent as it is', correlationId: String(request.id), url: request.url, status: reply.statusCode, err: String(err) });
        return payload;
      }
    });
  }

  /** No audit event, no success: the body is dropped and the client gets a 500 in our error shape. */
  private refuse(request: FastifyRequest, reply: FastifyReply, payload: unknown, err: unknown): string {
    const correlationId = String(request.id);
    this.log.error({ msg: 'audit event not recorded: response replaced by 500', correlationId, url: request.url, err: String(err) });
    (payload as { destroy?: () => void } | null)?.destroy?.();
    reply.code(500).header('content-type', 'application/json; charset=utf-8').removeHeader('content-length');
    return JSON.stringify({ error: 'audit-unavailable', message: 'the audit event could not be recorded', correlationId });
  }
}
