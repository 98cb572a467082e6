import { Inject, Injectable, Optional } from '@nestjs/common';
import { INGEST_COMMIT_COMPANION, IndexTransaction, IngestCommitCompanion, IngestOutcome, IngestSource } from './ingest.types';

/** One instance's payloads, one slot per registered companion (undefined: nothing from that one). */
export type CompanionPayloads = unknown[];

/**
 * The companions whose work commits with instances' index rows: the audit trail's (the
 * INGEST_COMMIT_COMPANION token, whose payload `coCommitted` reports) and those other modules
 * register at start-up (forwarding jobs), without the index knowing what they are.
 */
@Injectable()
export class CommitCompanions {
  private readonly list: IngestCommitCompanion[] = [];

  constructor(@Optional() @Inject(INGEST_COMMIT_COMPANION) private readonly audit?: IngestCommitCompanion) {
    if (audit) this.list.push(audit);
  }

  /** Adds a companion; call it before the first ingest (a module's onModuleInit). */
  register(companion: IngestCommitCompanion): void {
    this.list.push(companion);
  }

  /** Each companion's payload for this instance; undefined when none has anything to write. */
  payloads(instance: IngestOutcome, source: IngestSource): CompanionPayloads | undefined {
    const payloads = this.list.map((c) => c.payload(instance, source));
    return payloads.some((p) => p !== undefined) ? payloads : undefined;
  }

  /** True when the audit companion's payload is among them (its event commits with the row). */
  audited(payloads: CompanionPayloads | undefined): boolean {
    return this.audit !== undefined && payloads?.[0] !== undefined;
  }

  /** Writes a batch's payloads, each companion its own, in the index transaction. */
  async write(tx: IndexTransaction, batch: CompanionPayloads[]): Promise<void> {
    for (const [n, companion] of this.list.entries()) {
      const payloads = batch.flatMap((p) => (p[n] === undefined ? [] : [p[n]]));
      if (payloads.length > 0) await companion.write(tx, payloads);
    }
  }

  /** After the commit that carried `payloads`. */
  committed(payloads: CompanionPayloads): void {
    this.list.forEach((companion, n) => {
      if (payloads[n] !== undefined) companion.committed(payloads[n]);
    });
  }
}
