import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { GroupCommit } from '@pacs/database';
import { AuditAction } from './audit-codes';
import { AuditEvent, AuditEventInput, chainHash, GENESIS_HASH, normalizeEvent, StagedEvent } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { AuditFilter, AuditRepository } from './audit.repository';
import { parseSyslogUrl, SyslogForwarder } from './syslog-forwarder';

/** Largest group commit: bounds one statement's JSON and how long the chain lock is held. */
const MAX_BATCH = 500;

/** Events of reads: a viewer makes many such requests, each answered after its event commits. */
const READ_ACTIONS: ReadonlySet<string> = new Set([AuditAction.Query, AuditAction.InstancesAccessed]);

/**
 * A read: a query, instances accessed (WADO-RS) with action code Read or Execute, or instances
 * transferred with action code Read (C-GET, C-MOVE as the sender; PS3.15 A.5.3.4), whose final
 * response waited on the flush. Instances accessed to Update or Delete them (IOCM rejection and
 * restore) change stored data, and are chained like other changes.
 */
function isRead(input: AuditEventInput): boolean {
  const reading = input.actionCode === 'R' || input.actionCode === 'E';
  return (READ_ACTIONS.has(input.action) && reading) || (input.action === AuditAction.InstancesTransferred && input.actionCode === 'R');
}

/**
 * The chain check. `unsealed`: events that are durable (committed with their operation) but
 * not yet sealed into the chain; present only when there are any (the sealer links them within
 * about a second).
 */
export type VerifyResult = ({ intact: true } | { intact: false; brokenAt: number }) & { unsealed?: number };

/**
 * The audit trail. record() resolves once the event is committed in the hash chain (durable on
 * disk); read events (isRead) by default are staged instead (stageRead).
 * Both go through a group commit: N concurrent callers cost about one transaction, not N.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('Audit');
  private readonly chained: GroupCommit<AuditEventInput, AuditEvent>;
  private readonly readsStaged: GroupCommit<StagedEvent, number>;
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
    // A failed batch is written again one event at a time, so an event that cannot be stored
    // fails only its own caller, never the events batched with it. Chained events are retried
    // in order: each append links to the head the one before it left.
    const onError = (what: string) => (err: unknown, events: number) => this.log.warn({ msg: `${what} failed: writing its events one by one`, events, err: String(err) });
    this.chained = new GroupCommit((inputs) => this.appendAndForward(inputs), MAX_BATCH, {
      writeOne: async (input) => (await this.appendAndForward([input]))[0],
      inOrder: true,
      onError: onError('audit batch'),
    });
    this.readsStaged = new GroupCommit((events) => repository.stageUnflushed(events), MAX_BATCH, {
      writeOne: async (event) => (await repository.stageUnflushed([event]))[0],
      onError: onError('staged read events'),
    });
    const target = config.audit?.syslogUrl ? parseSyslogUrl(config.audit.syslogUrl) : undefined;
    if (target) {
      const onError = (err: Error) => this.log.warn({ msg: 'syslog forwarding failed', err: err.message });
      this.forwarder = new SyslogForwarder(target, onError, config.audit.syslogFormat, { sourceId: config.nodeId, aeTitle: config.dimse.aeTitle });
      // Staged events (StoreAuditCompanion) are forwarded once sealed, with their hash.
      sealer.onSealed((events) => this.forwarder?.send(events));
    }
  }

  /** Appends one event; resolves with it (id, hash) once committed, rejects if it could not be. */
  record(input: AuditEventInput): Promise<AuditEvent> {
    if (!this.enabled) return Promise.resolve(normalizeEvent(input, GENESIS_HASH, null));
    if (!this.flushReads && isRead(input)) return this.stageRead(input);
    return this.chained.add({ ...input, time: input.time ?? new Date() });
  }

  /**
   * A read event is staged (no chain lock, no wait for other requests' events) and committed
   * without waiting for the WAL flush (config/default.yaml, PACS_AUDIT_FLUSH_READS); the sealer
   * chains it within about a second, like an ingest's event. Concurrent requests' events share
   * one statement.
   */
  private async stageRead(input: AuditEventInput): Promise<AuditEvent> {
    const event = this.repository.staged({ ...input, time: input.time ?? new Date() });
    const id = await this.readsStaged.add(event);
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
    await Promise.all([this.chained.settled(), this.readsStaged.settled()]);
  }

  onApplicationShutdown(): void {
    this.forwarder?.close();
  }

  private async appendAndForward(inputs: AuditEventInput[]): Promise<AuditEvent[]> {
    const events = await this.repository.append(inputs);
    this.forwarder?.send(events);
    return events;
  }
}
