import { createHmac } from 'node:crypto';

/** The events a webhook can subscribe to (README "Webhooks"). */
export const WEBHOOK_EVENTS = ['study.received', 'study.complete', 'instance.rejected'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The job type of one event delivered to one webhook. */
export const WEBHOOK_JOB = 'webhook';

/** Milliseconds a receiver has to answer one delivery before it counts as failed (and is retried). */
export const DELIVERY_TIMEOUT_MS = 5000;

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  enabled: boolean;
}

/** What a delivery job carries: the event as it happened, for one webhook. */
export interface WebhookJobPayload {
  webhookId: string;
  /** Unique per event and webhook: the receiver's idempotency key (X-PACS-Event-Id). */
  eventId: string;
  event: WebhookEvent;
  time: string;
  studyUid: string;
  patientId?: string | null;
  /** instance.rejected: the instances hidden and why. */
  instances?: { seriesUid: string; sopInstanceUid: string; sopClassUid: string }[];
  reason?: { code: string; meaning: string };
}

/** Study-level attributes read from the index at delivery time. */
export interface StudyIdentifiers {
  patientId: string | null;
  accessionNumber: string | null;
}

/** The JSON body POSTed to the receiver. */
export function deliveryBody(job: WebhookJobPayload, study: StudyIdentifiers | undefined, publicUrl: string): string {
  return JSON.stringify({
    id: job.eventId,
    event: job.event,
    time: job.time,
    study: {
      StudyInstanceUID: job.studyUid,
      PatientID: study?.patientId ?? job.patientId ?? null,
      AccessionNumber: study?.accessionNumber ?? null,
      url: `${publicUrl.replace(/\/+$/, '')}/dicomweb/studies/${job.studyUid}`,
    },
    ...(job.instances ? { instances: job.instances } : {}),
    ...(job.reason ? { reason: job.reason } : {}),
  });
}

/** `X-PACS-Signature`: HMAC-SHA256 of the raw body with the webhook's secret, as GitHub signs its deliveries. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
