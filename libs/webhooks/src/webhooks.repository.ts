import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Webhook, WebhookEvent } from './webhook';

/** All SQL of the `webhooks` table. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(): Promise<Webhook[]> {
    const rows = (await this.dataSource.query('SELECT id, url, events, secret, enabled FROM webhooks ORDER BY created_at, id')) as Record<string, unknown>[];
    return rows.map(toWebhook);
  }

  async get(id: string): Promise<Webhook | undefined> {
    const rows = (await this.dataSource.query('SELECT id, url, events, secret, enabled FROM webhooks WHERE id = $1', [id])) as Record<string, unknown>[];
    return rows.map(toWebhook)[0];
  }

  async insert(w: Webhook): Promise<void> {
    await this.dataSource.query('INSERT INTO webhooks (id, url, events, secret, enabled) VALUES ($1, $2, $3, $4, $5)', [w.id, w.url, w.events, w.secret, w.enabled]);
  }

  /** False when there is no webhook with that id. */
  async update(w: Webhook): Promise<boolean> {
    const [, count] = (await this.dataSource.query('UPDATE webhooks SET url = $2, events = $3, secret = $4, enabled = $5, updated_at = now() WHERE id = $1', [
      w.id,
      w.url,
      w.events,
      w.secret,
      w.enabled,
    ])) as [unknown, number];
    return count > 0;
  }

  async remove(id: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query('DELETE FROM webhooks WHERE id = $1', [id])) as [unknown, number];
    return count > 0;
  }
}

function toWebhook(r: Record<string, unknown>): Webhook {
  return { id: r.id as string, url: r.url as string, events: r.events as WebhookEvent[], secret: r.secret as string, enabled: r.enabled as boolean };
}
