import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { PacsConfig } from '@pacs/config';
import type { IngestOutcome } from '@pacs/index';
import type { JobQueue } from '@pacs/jobs';
import { StudyReceivedCompanion } from './study-received.companion';
import { deliveryBody, signature, WebhookJobPayload } from './webhook';
import { WebhooksService } from './webhooks.service';
import type { WebhooksRepository } from './webhooks.repository';

const job: WebhookJobPayload = { webhookId: 'w', eventId: 'e-1', event: 'study.received', time: '2026-12-08T02:00:00.000Z', studyUid: '1.2.3', patientId: 'P-IN-JOB' };

describe('webhook payload and signature', () => {
  it('signs the raw body with HMAC-SHA256 as "sha256=<hex>", checkable by a receiver with the secret', () => {
    const body = deliveryBody(job, undefined, 'https://pacs.example.org');
    const expected = createHmac('sha256', 'a-shared-secret-123').update(Buffer.from(body)).digest('hex');
    assert.equal(signature('a-shared-secret-123', body), `sha256=${expected}`);
    assert.notEqual(signature('another-secret-456', body), `sha256=${expected}`);
  });

  it('carries the event, its time and id, the study identifiers as indexed and the study DICOMweb URL', () => {
    const body = JSON.parse(deliveryBody(job, { patientId: 'P1', accessionNumber: 'ACC1' }, 'https://pacs.example.org/'));
    assert.deepEqual(body, {
      id: 'e-1',
      event: 'study.received',
      time: '2026-12-08T02:00:00.000Z',
      study: { StudyInstanceUID: '1.2.3', PatientID: 'P1', AccessionNumber: 'ACC1', url: 'https://pacs.example.org/dicomweb/studies/1.2.3' },
    });
  });

  it('falls back on the Patient ID of the event when the study has no stored instance left', () => {
    const body = JSON.parse(deliveryBody({ ...job, event: 'instance.rejected', reason: { code: '113039', meaning: 'Data Retention Policy Expired' } }, undefined, 'http://h'));
    assert.equal(body.study.PatientID, 'P-IN-JOB');
    assert.equal(body.study.AccessionNumber, null);
    assert.deepEqual(body.reason, { code: '113039', meaning: 'Data Retention Policy Expired' });
  });
});

describe('study.received debounce', () => {
  const instance = (studyUid: string, result: IngestOutcome['result'] = 'stored'): IngestOutcome =>
    ({ result, sopClassUid: '1.2', sopInstanceUid: `${studyUid}.9`, studyUid, seriesUid: `${studyUid}.1`, transferSyntaxUid: '1.2.840.10008.1.2.1' }) as IngestOutcome;
  async function companion(debounceSeconds: number, events = ['study.received']): Promise<StudyReceivedCompanion> {
    const hooks = [{ id: 'a', url: 'http://a', events, secret: 's', enabled: true }, { id: 'b', url: 'http://b', events, secret: 's', enabled: false }];
    const service = new WebhooksService({ list: async () => hooks } as unknown as WebhooksRepository);
    await service.onModuleInit();
    return new StudyReceivedCompanion(service, {} as JobQueue, { webhooks: { debounceSeconds } } as PacsConfig);
  }

  it('queues one delayed event per enabled subscribed webhook for the first instance of a study, none for the rest of the window', async () => {
    const c = await companion(5);
    const first = c.payload(instance('1.1'))!;
    assert.equal(first.length, 1);
    assert.equal(first[0].delaySeconds, 5);
    assert.equal(first[0].orderingKey, 'webhook:a');
    assert.equal(c.payload(instance('1.1'))?.length, 1, 'no window before the first event committed (a failed commit leaves none)');
    c.committed(first);
    assert.equal(c.payload(instance('1.1')), undefined);
    assert.equal(c.payload(instance('2.2'))?.length, 1, 'another study has its own window');
  });

  it('queues per instance with no debounce, and nothing for a duplicate kept or an event nobody wants', async () => {
    const c = await companion(0);
    c.committed(c.payload(instance('1.1'))!);
    assert.equal(c.payload(instance('1.1'))?.length, 1);
    assert.equal(c.payload(instance('1.1', 'kept-existing')), undefined);
    assert.equal((await companion(0, ['study.complete'])).payload(instance('1.1')), undefined);
  });
});
