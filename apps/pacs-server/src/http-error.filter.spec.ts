import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { DomainError } from '@pacs/errors';
import { IngestError } from '@pacs/index';
import { HttpErrorFilter } from './http-error.filter';

/** What the client receives for one thrown error. */
function answer(thrown: unknown): { status: number; body: Record<string, unknown> } {
  const sent = { status: 0, body: {} as Record<string, unknown> };
  const reply = {
    sent: false,
    status(code: number) {
      sent.status = code;
      return { send: (body: Record<string, unknown>) => void (sent.body = body) };
    },
  };
  const request = { id: 'req-1', method: 'POST', url: '/dicomweb/studies' };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(thrown, host);
  return sent;
}

describe('HTTP error answers', () => {
  Logger.overrideLogger(false);

  it('answers a domain error with the status of its code and the code as error', () => {
    assert.deepEqual(answer(new DomainError('worklist-conflict', 'item 7 is COMPLETED')), {
      status: 409,
      body: { error: 'worklist-conflict', message: 'item 7 is COMPLETED', correlationId: 'req-1' },
    });
  });

  it('answers a full disk with 507 and a storage failure with 503, not 400', () => {
    assert.equal(answer(new IngestError('out-of-space', 'storage full: 3 MiB free, 1024 MiB required')).status, 507);
    assert.equal(answer(new IngestError('storage-failure', 'the index could not be updated')).status, 503);
    assert.equal(answer(new IngestError('unparsable', 'malformed data set at byte 12')).status, 400);
  });

  it("keeps the status of Nest's own HttpException", () => {
    assert.deepEqual(answer(new NotFoundException({ error: 'metrics-disabled', message: 'metrics are off' })), {
      status: 404,
      body: { error: 'metrics-disabled', message: 'metrics are off', correlationId: 'req-1' },
    });
  });

  it('answers anything else with a generic 500, its details only in the log', () => {
    assert.deepEqual(answer(new TypeError('cannot read properties of undefined')), {
      status: 500,
      body: { error: 'internal', message: 'internal server error', correlationId: 'req-1' },
    });
  });
});
