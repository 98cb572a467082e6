import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Controller, ForbiddenException, Get, INestApplication, Module, Param, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited, auditStudies, isPublicRoute, Public } from '@pacs/auth';
import type { AuditEventInput } from './audit-event';
import { AuditService } from './audit.service';
import { HttpAuditHook } from './http-audit.hook';

/** Routes as the controllers declare them; no guards, so only the hook's reading of @Audited is under test. */
@Controller()
class RoutesController {
  @Get('dicomweb/studies/:study')
  @Audited('instances-accessed', 'R', { studies: ['study-param'] })
  retrieve(@Res() reply: FastifyReply): void {
    const body = new PassThrough();
    void reply.header('content-type', 'application/dicom').send(body);
    body.end(Buffer.alloc(10, 1));
  }

  /** The body names another study: the event must take the stored one, from the handler. */
  @Post('dicomweb/studies')
  @Audited('instances-transferred', 'C', { studies: ['study-param', 'handler-studies'] })
  store(@Req() req: FastifyRequest): object {
    auditStudies(req, ['1.2.3']);
    return { RetrieveURL: 'http://h/dicomweb/studies/6.6.6' };
  }

  @Get('dicomweb/studies/:study/undeclared')
  undeclared(@Param('study') study: string): object {
    return { study };
  }

  @Get('api/audit')
  @Audited('audit-log-used', 'R')
  refused(): never {
    throw new ForbiddenException('missing permission audit:read');
  }

  @Get('open')
  @Public()
  @Audited('query', 'E')
  open(@Req() req: FastifyRequest): object {
    return { public: isPublicRoute(req) };
  }
}

let record: (e: AuditEventInput) => Promise<unknown> = async () => undefined;

@Module({
  controllers: [RoutesController],
  providers: [HttpAuditHook, { provide: AuditService, useValue: { record: (e: AuditEventInput) => record(e) } }],
})
class HookTestModule {}

describe('HTTP audit hook: the event each route declares', () => {
  let app: INestApplication;
  let url: string;
  before(async () => {
    app = await NestFactory.create(HookTestModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  after(() => app?.close());
  const recording = () => {
    const events: AuditEventInput[] = [];
    record = async (e) => void events.push(e);
    return events;
  };

  it('records the event of a streamed WADO-RS response before the response is sent', async () => {
    const recorded: AuditEventInput[] = [];
    record = async (e) => {
      await new Promise((r) => setTimeout(r, 20));
      recorded.push(e);
    };
    const res = await fetch(`${url}/dicomweb/studies/1.2.3`);
    const sentBeforeRecorded = recorded.length === 0;
    assert.equal(res.status, 200);
    assert.equal((await res.arrayBuffer()).byteLength, 10);
    assert.equal(sentBeforeRecorded, false);
    assert.deepEqual(recorded.map((e) => [e.action, e.studyUids]), [['110103', ['1.2.3']]]);
  });

  it('names the studies a STOW-RS stored from its result, not from the response body', async () => {
    const events = recording();
    assert.equal((await fetch(`${url}/dicomweb/studies`, { method: 'POST' })).status, 201);
    assert.deepEqual(events.map((e) => [e.action, e.actionCode, e.studyUids]), [['110104', 'C', ['1.2.3']]]);
  });

  it('leaves no event for a route without @Audited, whatever its URL', async () => {
    const events = recording();
    assert.equal((await fetch(`${url}/dicomweb/studies/1.2.3/undeclared`)).status, 200);
    assert.deepEqual(events, []);
  });

  it('keeps @Public and @Audited on one route', async () => {
    const events = recording();
    assert.deepEqual(await (await fetch(`${url}/open`)).json(), { public: true });
    assert.deepEqual(events.map((e) => e.action), ['110112']);
  });

  it('answers 500 audit-unavailable instead of the data when the event cannot be written; undeclared routes are untouched', async () => {
    record = async () => {
      throw new Error('database down');
    };
    const res = await fetch(`${url}/dicomweb/studies/1.2.3`);
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { error: string }).error, 'audit-unavailable');
    assert.equal((await fetch(`${url}/dicomweb/studies/1.2.3/undeclared`)).status, 200);
  });

  it('sends a refusal as it is when its event cannot be written: a 403 stays a 403, never a 500', async () => {
    record = async () => {
      throw new Error('database down');
    };
    const res = await fetch(`${url}/api/audit`);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { message: string }).message, 'missing permission audit:read');
  });
});
