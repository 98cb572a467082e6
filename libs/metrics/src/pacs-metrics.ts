import { Injectable, Logger, Optional } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { clusterExposition } from './cluster-metrics';

/**
 * The server's Prometheus registry: counters that domain modules increment as things happen, and
 * gauges read when scraped (live associations, free disk space). Process metrics (CPU, memory,
 * event-loop delay, GC) come with it, all named `pacs_*`. Every series carries `node`
 * (PACS_NODE_ID), so the nodes of one archive can be told apart and summed.
 */
@Injectable()
export class PacsMetrics {
  readonly registry = new Registry();
  /** Instances made durable and indexed, by channel (dimse, stow, import) and result. */
  readonly instancesStored: Counter<'channel' | 'result'>;
  /** Instances refused, by channel and reason (the ingest error code). */
  readonly instancesRefused: Counter<'channel' | 'reason'>;
  /** DICOM connections closed on arrival because PACS_DIMSE_MAX_CONNECTIONS were open. */
  readonly dimseConnectionsRefused: Counter;
  /** DICOM connections closed by ARTIM (PS3.8 9.1.5). */
  readonly dimseArtimClosed: Counter;
  /** Storage Commitment requests by outcome: refused, all committed, failures reported, a retry scheduled, given up undelivered. */
  readonly storageCommitments: Counter<'outcome'>;
  /** Failed requests to the blob store (S3), by operation: put, get, head, delete, list. */
  readonly storageErrors: Counter<'operation'>;
  /** Every worker's series, in a worker of PACS_WORKERS > 1 (cluster-metrics.ts). */
  private readonly workersExposition = clusterExposition(this.registry);

  constructor(@Optional() config?: PacsConfig) {
    if (config) this.registry.setDefaultLabels({ node: config.nodeId });
    collectDefaultMetrics({ register: this.registry, prefix: 'pacs_' });
    const registers = [this.registry];
    this.instancesStored = new Counter({
      name: 'pacs_instances_stored_total',
      help: 'Instances stored (blob flushed, index committed), by channel and result (stored, overwritten, kept-existing)',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.instancesRefused = new Counter({
      name: 'pacs_instances_refused_total',
      help: 'Instances refused, by channel and reason',
      labelNames: ['channel', 'reason'],
      registers,
    });
    this.dimseConnectionsRefused = new Counter({
      name: 'pacs_dimse_connections_refused_total',
      help: 'DICOM connections closed on arrival: PACS_DIMSE_MAX_CONNECTIONS were open',
      registers,
    });
    this.dimseArtimClosed = new Counter({
      name: 'pacs_dimse_artim_closed_total',
      help: 'DICOM connections closed by ARTIM: no association request, or not closed by the peer after a reject or release',
      registers,
    });
    this.storageCommitments = new Counter({
      name: 'pacs_storage_commitments_total',
      help: 'Storage Commitment requests by outcome (refused, committed, failures-reported, retry-scheduled, undelivered)',
      labelNames: ['outcome'],
      registers,
    });
    this.storageErrors = new Counter({
      name: 'pacs_storage_errors_total',
      help: 'Failed requests to the blob store (S3), by operation (put, get, head, delete, list)',
      labelNames: ['operation'],
      registers,
    });
  }

  /** A gauge whose value `read` gives each time it is scraped. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /** A gauge with labels whose series `read` gives each time it is scraped (those it omits are dropped). */
  labelledGauge<L extends string>(name: string, help: string, labelNames: L[], read: () => Promise<{ labels: Record<L, string>; value: number }[]>): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const series = await read();
        this.reset();
        for (const { labels, value } of series) this.set(labels as Partial<Record<L, string>>, value);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async exposition(): Promise<string> {
    if (!this.workersExposition) return this.registry.metrics();
    try {
      return await this.workersExposition();
    } catch (err) {
      // This worker's own series rather than none: the scrape still says something.
      new Logger('Metrics').warn({ err: (err as Error).message }, 'answering /metrics with this worker only');
      return this.registry.metrics();
    }
  }
}
