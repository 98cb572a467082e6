import { Injectable, Logger } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { ClaimedJob, JobHandler } from '@pacs/jobs';
import { QueryService } from '@pacs/index';
import { DELIVERY_TIMEOUT_MS, deliveryBody, signature, StudyIdentifiers, WEBHOOK_JOB, WebhookJobPayload } from './webhook';
import { WebhooksService } from './webhooks.service';

/**
 * Runs webhook jobs: POSTs the event's JSON to the webhook's URL, signed with its secret. A 2xx
 * answer within DELIVERY_TIMEOUT_MS delivers it; anything else (another status, a redirect, no
 * answer, no connection) fails the job, retried with the queue's backoff and visible in
 * /api/jobs. A webhook deleted or disabled since the event drops it.
 */
@Injectable()
export class WebhookDeliveryHandler implements JobHandler {
  readonly type = WEBHOOK_JOB;
  private readonly log = new Logger('Webhooks');

  constructor(
    private readonly webhooks: WebhooksService,
    private readonly query: QueryService,
    private readonly config: PacsConfig,
  ) {}

  async run(jobs: ClaimedJob[]): Promise<(Error | undefined)[]> {
    const results: (Error | undefined)[] = [];
    for (const job of jobs) results.push(await this.deliver(job.payload as unknown as WebhookJobPayload, job.attempt));
    return results;
  }

  private async deliver(job: WebhookJobPayload, attempt: number): Promise<Error | undefined> {
    const webhook = await this.webhooks.forDelivery(job.webhookId);
    if (!webhook?.enabled) return undefined;
    const body = deliveryBody(job, await this.study(job.studyUid), this.publicUrl());
    const context = { webhookId: webhook.id, event: job.event, eventId: job.eventId, studyUid: job.studyUid, attempt };
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        headers: { 'content-type': 'application/json', 'x-pacs-event': job.event, 'x-pacs-event-id': job.eventId, 'x-pacs-signature': signature(webhook.secret, body) },
        body,
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) {
        this.log.log({ ...context, status: res.status }, 'webhook delivered');
        return undefined;
      }
      this.log.warn({ ...context, status: res.status }, 'webhook refused');
      return new Error(`${webhook.url} answered ${res.status}`);
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${DELIVERY_TIMEOUT_MS} ms` : causeOf(err as Error);
      this.log.warn({ ...context, reason }, 'webhook not delivered');
      return new Error(`${webhook.url}: ${reason}`);
    }
  }

  /** The study's identifiers as indexed now; undefined when it has no stored instance left. */
  private async study(studyUid: string): Promise<StudyIdentifiers | undefined> {
    const { results } = await this.query.search({ level: 'study', match: { StudyInstanceUID: studyUid }, limit: 1 });
    const found = results[0];
    if (!found) return undefined;
    const value = (tag: string) => (found[tag]?.Value?.[0] as string | undefined) ?? null;
    return { patientId: value('00100020'), accessionNumber: value('00080050') };
  }

  private publicUrl(): string {
    const { webhooks, http, tls } = this.config;
    return webhooks.publicUrl ?? `${tls.httpCert ? 'https' : 'http'}://localhost:${http.port}`;
  }
}

/** fetch() reports a refused connection as "fetch failed" with the reason in `cause`. */
function causeOf(err: Error): string {
  const cause = (err as Error & { cause?: Error & { code?: string } }).cause;
  return cause ? `${err.message} (${cause.code ?? cause.message})` : err.message;
}
