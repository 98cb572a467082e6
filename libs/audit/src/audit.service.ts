import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { AuditAction } from './audit-codes';
import { AuditEvent, AuditEventInput, chainHash, GENESIS_HASH, normalizeEvent, stagedEvent } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { AuditFilter, AuditRepository } from './audit.repository';
import { parseSyslogUrl, SyslogForwarder } from './syslog-forwarder';

/** Largest group commit: bounds one statement's JSON and how long the chain lock is held. */
const MAX_BATCH = 500;

/** Events of reads: a viewer makes many such requests, each answered after its event commits. */
const READ_ACTIONS: ReadonlySet<string> = new Set([AuditAction.Query, AuditAction.InstancesAccessed]);

interface Pending {
  input: AuditEventInput;
  resolve(event: AuditEvent): void;
  reject(err: unknown): void;
}

/**
 * The chain check. `unsealed`: events that are durable (committed with their operation) but
 * not yet sealed into the chain; present only when there are any (the sealer links them within
 * about a second).
 */
export type VerifyResult = ({ intact: true } | { intact: false; brokenAt: number }) & { unsealed?: number };

/**
 * The audit trail. record() resolves once the event is committed in the hash chain (durable on
 * disk); read events (Query, Instances Accessed) by default are staged instead (stageRead).
 * Group commit: while one transaction is under way, events recorded meanwhile queue up
 * and go into the next one together, so N concurrent callers cost about one commit (one
 * fsync) rather than N, and a lone caller waits for no timer.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('Audit');
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private readonly forwarder: SyslogForwarder | undefined;
  /** PACS_AUDIT_ENABLED=false (benchmarks only): record() stores nothing. */
  private readonly enabled: boolean;
  /** PACS_AUDIT_FLUSH_READS: read events too wait for the WAL flush, not only for the commit. */
  private readonly flushReads: boolean;

  constructor(
    private readonly repository: AuditRepository,
    private readonly sealer: AuditSealer,
    config: PacsConfig,
  ) {
    this.enabled = config.audit?.enabled !== false;
    this.flushReads = config.audit?.flushReads === true;
    const target = config.audit?.syslogUrl ? parseSyslogUrl(config.audit.syslogUrl) : undefined;
    if (target) {
      this.forwarder = new SyslogForwarder(target, (err) => this.log.warn({ msg: 'syslog forwarding failed', err: err.message }));
      // Staged events (StoreAuditCompanion) are forwarded once sealed, with their hash.
      sealer.onSealed((events) => this.forwarder?.send(events));
    }
  }

  /** Appends one event; resolves with it (id, hash) once committed, rejects if it could not be. */
  record(input: AuditEventInput): Promise<AuditEvent> {
    if (!this.enabled) return Promise.resolve(normalizeEvent(input, GENESIS_HASH));
    if (!this.flushReads && READ_ACTIONS.has(input.action)) return this.stageRead(input);
    const done = new Promise<AuditEvent>((resolve, reject) => this.queue.push({ input: { ...input, time: input.time ?? new Date() }, resolve, reject }));
    // Events recorded in the same turn of the event loop join the first batch.
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
    return done;
  }

  /**
   * A read event is staged (no chain lock, no wait for other requests' events) and committed
   * without waiting for the WAL flush (config/default.yaml, PACS_AUDIT_FLUSH_READS); the sealer
   * chains it within about a second, like an ingest's event.
   */
  private async stageRead(input: AuditEventInput): Promise<AuditEvent> {
    const event = stagedEvent({ ...input, time: input.time ?? new Date() });
    const [id] = await this.repository.stageUnflushed([event]);
    this.sealer.staged();
    return { id, ...event, prevHash: null, hash: null };
  }

  /** Like record(), for callers that must not fail because of the audit trail: a failure is logged. */
  recordQuietly(input: AuditEventInput): void {
    this.record(input).catch((err) => this.log.error({ msg: 'audit event not recorded', action: input.action, err: String(err) }));
  }

  find(filter: AuditFilter, limit: number): Promise<AuditEvent[]> {
    return this.repository.find(filter, limit);
  }

  stream(filter: AuditFilter): AsyncGenerator<AuditEvent> {
    return this.repository.stream(filter);
  }

  /**
   * Recomputes the chain in chain (seal) order, a page at a time. The first event whose
   * prev_hash is not its predecessor's hash, or whose own hash does not match its content, is
   * named. Staged events (not yet sealed) are counted, and a seal is started for them.
   */
  async verify(): Promise<VerifyResult> {
    const unsealed = await this.repository.countStaged();
    if (unsealed > 0) this.sealer.staged();
    const extra = unsealed > 0 ? { unsealed } : {};
    let prev = GENESIS_HASH;
    for await (const event of this.repository.streamChain()) {
      const { hash, prevHash } = event;
      if (prevHash !== prev || hash === null || chainHash({ ...event, prevHash }) !== hash) return { intact: false, brokenAt: event.id, ...extra };
      prev = hash;
    }
    return { intact: true, ...extra };
  }

  /** Events recorded before shutdown are committed before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.draining;
  }

  onApplicationShutdown(): void {
    this.forwarder?.close();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const events = await this.repository.append(batch.map((p) => p.input));
        batch.forEach((p, i) => p.resolve(events[i]));
        this.forwarder?.send(events);
      } catch (err) {
        this.log.error({ msg: 'audit batch not committed', events: batch.length, err: String(err) });
        batch.forEach((p) => p.reject(err));
      }
    }
    this.draining = undefined;
  }
}
