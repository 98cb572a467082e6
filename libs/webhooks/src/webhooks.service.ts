import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { ChangeNotices } from '@pacs/database';
import { DomainError } from '@pacs/errors';
import type { NewJob } from '@pacs/jobs';
import { Webhook, WEBHOOK_JOB, WebhookEvent, WebhookJobPayload } from './webhook';
import { WebhooksRepository } from './webhooks.repository';

/** Announced after every change of webhooks, so every node reloads them. */
const WEBHOOKS_CHANNEL = 'pacs_webhooks';

/** What a caller gives to create or replace a webhook; a secret is generated when none is given. */
export interface WebhookSettings {
  url: string;
  events: WebhookEvent[];
  secret?: string;
  enabled?: boolean;
}

/** A webhook without its secret (shown once, in the answer to its creation). */
export type WebhookView = Omit<Webhook, 'secret'> & { secret?: string };

/**
 * Webhooks CRUD plus the in-memory snapshot events are matched against (no database access on
 * the ingest path); every node reloads it when one announces a change.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  private readonly log = new Logger('Webhooks');
  private snapshot: readonly Webhook[] = [];

  constructor(
    private readonly repo: WebhooksRepository,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** Reloads whenever a node announces a change (the server; a short `pacs import` keeps what it loaded). */
  async followChanges(): Promise<void> {
    await this.notices?.listen(WEBHOOKS_CHANNEL, () => void this.reload().catch((err: Error) => this.log.warn({ err: err.message }, 'webhooks not reloaded')));
  }

  /** True when an enabled webhook subscribes to `event` (no database access). */
  wanted(event: WebhookEvent): boolean {
    return this.snapshot.some((w) => w.enabled && w.events.includes(event));
  }

  /** One delivery job per enabled webhook subscribed to the event, each in its webhook's order. */
  jobsFor(event: Omit<WebhookJobPayload, 'webhookId' | 'eventId'>): NewJob[] {
    return this.snapshot
      .filter((w) => w.enabled && w.events.includes(event.event))
      .map((w) => ({ type: WEBHOOK_JOB, orderingKey: `webhook:${w.id}`, payload: { ...event, webhookId: w.id, eventId: randomUUID() } }));
  }

  /** The webhook as stored now, with its secret, for a delivery (a node's snapshot may lag); undefined once deleted. */
  forDelivery(id: string): Promise<Webhook | undefined> {
    return this.repo.get(id);
  }

  async list(): Promise<WebhookView[]> {
    return (await this.repo.list()).map(view);
  }

  async get(id: string): Promise<WebhookView> {
    return view(await this.find(id));
  }

  async create(settings: WebhookSettings): Promise<WebhookView> {
    const webhook = { id: randomUUID(), url: settings.url, events: settings.events, secret: settings.secret ?? randomBytes(32).toString('hex'), enabled: settings.enabled ?? true };
    await this.repo.insert(webhook);
    await this.changed();
    return { ...view(webhook), secret: webhook.secret };
  }

  /** Replaces url, events and enabled; the secret only when one is given. */
  async replace(id: string, settings: WebhookSettings): Promise<WebhookView> {
    const current = await this.find(id);
    const webhook = { id, url: settings.url, events: settings.events, secret: settings.secret ?? current.secret, enabled: settings.enabled ?? true };
    if (!(await this.repo.update(webhook))) throw notFound(id);
    await this.changed();
    return view(webhook);
  }

  async remove(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repo.remove(id))) throw notFound(id);
    await this.changed();
  }

  private async find(id: string): Promise<Webhook> {
    const webhook = isUuid(id) ? await this.repo.get(id) : undefined;
    if (!webhook) throw notFound(id);
    return webhook;
  }

  private async changed(): Promise<void> {
    await this.reload();
    await this.notices?.announce(WEBHOOKS_CHANNEL).catch((err: Error) => this.log.warn({ err: err.message }, 'webhook change not announced'));
  }

  private async reload(): Promise<void> {
    this.snapshot = Object.freeze(await this.repo.list());
  }
}

function view(w: Webhook): WebhookView {
  return { id: w.id, url: w.url, events: w.events, enabled: w.enabled };
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

function notFound(id: string): DomainError {
  return new DomainError('webhook-not-found', `no webhook ${id}`);
}
