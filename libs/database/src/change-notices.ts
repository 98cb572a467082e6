import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

/** Wait before listening again after the connection was lost. */
const RECONNECT_DELAY_MS = 1000;

/**
 * Cache invalidation between nodes (and workers) through PostgreSQL's LISTEN/NOTIFY: a node that
 * changes data a cache holds announces it on a channel after its commit, and every node that
 * listens on that channel reloads at once. One connection per process listens; when it is lost,
 * it is opened again and every handler runs, since notices sent meanwhile are not replayed.
 */
@Injectable()
export class ChangeNotices implements OnModuleDestroy {
  private readonly log = new Logger('ChangeNotices');
  private readonly handlers = new Map<string, Set<() => void>>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Tells every listening node, this one included, that `channel`'s data changed. */
  async announce(channel: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [channel, '']);
  }

  /** Calls `handler` on every announcement on `channel` (a lower-case identifier), from any node. */
  async listen(channel: string, handler: () => void): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel ${channel}`);
    const known = this.handlers.get(channel);
    if (known) return void known.add(handler);
    this.handlers.set(channel, new Set([handler]));
    await this.connected();
    await this.client?.query(`LISTEN ${channel}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private connected(): Promise<void> {
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: (this.dataSource.options as { url?: string }).url });
    client.on('notification', (notice) => this.handlers.get(notice.channel)?.forEach((handler) => handler()));
    // Lost also when PostgreSQL stops with the server (Ctrl-C reaches both): not worth a warning;
    // failing to listen again is (listenAgainLater).
    client.on('error', (err) => this.log.debug({ err: err.message }, 'change notices: connection lost'));
    client.on('end', () => this.lost(client));
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
    this.client = client;
  }

  private lost(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.listenAgainLater();
  }

  /** Listens again after a pause, then runs every handler: what changed meanwhile was not heard. */
  private listenAgainLater(): void {
    setTimeout(() => {
      if (this.closed) return;
      this.connected().then(
        () => this.handlers.forEach((set) => set.forEach((handler) => handler())),
        (err: Error) => {
          this.log.warn({ err: err.message }, 'change notices: could not listen again');
          this.listenAgainLater();
        },
      );
    }, RECONNECT_DELAY_MS).unref();
  }
}
