import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE_CONFIG } from './auth.decorators';
import { JwtAuthGuard } from './jwt-auth.guard';

/**
 * Decides authentication before a request body is read. Nest's guards run only once Fastify has
 * read and parsed the body, so without this an anonymous client could make the server read a
 * body it is going to refuse, and learn from a 400 whether it parses. A request with a body to
 * a route that is not @Public() needs a valid bearer token here, checked by JwtAuthGuard's own
 * verification (the guard still runs afterwards, and decides permissions); a refusal is the
 * guard's 401, before a byte of the body is read.
 */
@Injectable()
export class BodyAuthHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly guard: JwtAuthGuard,
  ) {}

  onModuleInit(): void {
    // Absent in an application context without HTTP (integration specs, the CLI).
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addHook) return;
    fastify.addHook('preParsing', async (request, reply, payload) => {
      if (hasBody(request) && !request.is404 && !isPublicRoute(request)) {
        await this.guard.authenticate(request, reply);
      }
      return payload;
    });
  }
}

/** Whether the request's route is @Public(): known before its body is parsed. */
export function isPublicRoute(request: FastifyRequest): boolean {
  const config: Record<string, unknown> | undefined = request.routeOptions.config as unknown as Record<string, unknown>;
  return config?.[PUBLIC_ROUTE_CONFIG] === true;
}

/** As Fastify decides whether there is a body to parse. */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
