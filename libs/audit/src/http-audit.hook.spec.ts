import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import type { HttpAdapterHost } from '@nestjs/core';
import type { AuditEventInput } from './audit-event';
import type { AuditService } from './audit.service';
import { HttpAuditHook } from './http-audit.hook';

/** A real Fastify with the hook installed and a recorder that succeeds or fails. */
async function serverWith(record: (e: AuditEventInput) => Promise<unknown>) {
  const app = Fastify();
  const host = { httpAdapter: { getInstance: () => app } } as unknown as HttpAdapterHost;
  new HttpAuditHook(host, { record } as unknown as AuditService).onModuleInit();
  app.get('/dicomweb/studies/:study', (_req, reply) => {
    const body = new PassThrough();
    void reply.header('content-type', 'application/dicom').send(body);
    body.end(Buffer.alloc(10, 1));
  });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/api/audit', async (_req, reply) => reply.code(403).send({ error: 'forbidden', message: 'missing permission audit:read' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

describe('HTTP audit hook', () => {
  it('records the event of a streamed WADO-RS response before the response is sent', async () => {
    const recorded: AuditEventInput[] = [];
    let sentBeforeRecorded = false;
    const { app, url } = await serverWith(async (e) => {
      await new Promise((r) => setTimeout(r, 20));
      recorded.push(e);
    });
    try {
      const res = await fetch(`${url}/dicomweb/studies/1.2.3`);
      sentBeforeRecorded = recorded.length === 0;
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 10);
      assert.equal(sentBeforeRecorded, false);
      assert.deepEqual(recorded.map((e) => [e.action, e.studyUids]), [['110103', ['1.2.3']]]);
    } finally {
      await app.close();
    }
  });

  it('answers 500 audit-unavailable instead of the data when the event cannot be written; unaudited routes are untouched', async () => {
    const { app, url } = await serverWith(async () => {
      throw new Error('database down');
    });
    try {
      const res = await fetch(`${url}/dicomweb/studies/1.2.3`);
      assert.equal(res.status, 500);
      assert.equal(((await res.json()) as { error: string }).error, 'audit-unavailable');
      assert.equal((await fetch(`${url}/health`)).status, 200);
    } finally {
      await app.close();
    }
  });

  it('sends a refusal as it is when its event cannot be written: a 403 stays a 403, never a 500', async () => {
    const { app, url } = await serverWith(async () => {
      throw new Error('database down');
    });
    try {
      const res = await fetch(`${url}/api/audit`);
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), { error: 'forbidden', message: 'missing permission audit:read' });
    } finally {
      await app.close();
    }
  });
});
