import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditService } from './audit.service';
import { httpAuditEvent } from './http-audit';

/**
 * Audits HTTP requests from a Fastify onSend hook rather than a Nest interceptor: it runs for
 * every response, including the 401/403 of the guards (which run before interceptors) and the
 * handlers that stream through @Res() (which send before an interceptor sees the result), and
 * Fastify waits for it, so no response leaves before its event is committed. If the event
 * cannot be written the hook fails and the client gets a 500, never an unaudited success.
 */
@Injectable()
export class HttpAuditHook implements OnModuleInit {
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
        path: request.url.split('?')[0],
        route: request.routeOptions?.url,
        params: (request.params ?? {}) as Record<string, string | undefined>,
        query: (request.query ?? {}) as Record<string, unknown>,
        status: reply.statusCode,
        username: (request as FastifyRequest & { user?: { username?: string } }).user?.username,
        ip: request.ip,
        payload: typeof payload === 'string' ? payload : undefined,
      });
      if (event) await this.audit.record(event);
      return payload;
    });
  }
}
