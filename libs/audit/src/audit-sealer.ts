import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AuditEvent } from './audit-event';
import { AuditRepository } from './audit.repository';

/** How long staged events wait for company before a seal: one transaction seals them all. */
export const SEAL_DELAY_MS = 500;
/** Largest seal: bounds one transaction and how long the chain lock is held. */
const SEAL_BATCH = 500;
/**
 * How often every node also seals whatever is staged: a node that dies within SEAL_DELAY_MS of a
 * stage leaves its events to the others, which would otherwise seal them only with their own
 * next stage. When nothing is staged this is one indexed query.
 */
export const SEAL_SWEEP_MS = 60_000;

/**
 * Links staged events (written by audit_stage in the ingest's own commit) into the hash chain.
 * Runs SEAL_DELAY_MS after a stage is reported, every SEAL_SWEEP_MS, at start-up (rows a stopped
 * node left staged) and at shutdown. The chain lock inside sealStaged makes it safe with other nodes and with
 * AuditService.record(): one chain, in the order events were sealed. Guarantee: a staged event
 * is durable from the commit that stored its instance and joins the chain within about a second.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('AuditSealer');
  private timer: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private listener: ((events: AuditEvent[]) => void) | undefined;

  constructor(private readonly repository: AuditRepository) {}

  /** Told of every sealed batch (the syslog forwarder sends events once they carry their hash). */
  onSealed(listener: (events: AuditEvent[]) => void): void {
    this.listener = listener;
  }

  /** A staged event was committed: seal soon (debounced). */
  staged(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sealNow();
    }, SEAL_DELAY_MS);
  }

  /** Seals everything staged now (also other nodes' rows); resolves when done. */
  sealNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.sealAll().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.staged();
      }
    });
    return this.running;
  }

  onApplicationBootstrap(): void {
    void this.sealNow();
    this.sweep = setInterval(() => void this.sealNow(), SEAL_SWEEP_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.sealAll();
  }

  private async sealAll(): Promise<void> {
    try {
      for (;;) {
        const sealed = await this.repository.sealStaged(SEAL_BATCH);
        if (sealed.length > 0) this.listener?.(sealed);
        if (sealed.length < SEAL_BATCH) return;
      }
    } catch (err) {
      // The rows stay staged (durable); the next stage or start-up retries.
      this.log.error({ msg: 'staged audit events not sealed', err: String(err) });
      if (!this.closed) this.staged();
    }
  }
}
