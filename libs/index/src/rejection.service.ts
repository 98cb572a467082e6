import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { DicomJson } from '@pacs/dicom';
import { BlobRemovals } from './blob-removals';
import { IngestError, NotFoundError } from './index.errors';
import { IngestSource } from './ingest.types';
import { RejectedInstance, RejectionPage, RejectionRepository } from './rejection.repository';
import { rejectionNote } from './rejection-note';

/** Rows expired per statement: bounds one transaction and the blobs removed after it. */
const EXPIRY_BATCH = 500;

/**
 * Records what rejection and expiry did (PS3.15 A.5.3), provided by @pacs/audit under
 * REJECTION_AUDIT: a rejection is recorded before the Rejection Note is acknowledged.
 */
export interface RejectionAudit {
  rejected(instances: RejectedInstance[], source: IngestSource): Promise<void>;
  expired(instances: RejectedInstance[]): Promise<void>;
}
export const REJECTION_AUDIT = Symbol('REJECTION_AUDIT');

/** Told of the instances a Rejection Note hid, once that is committed (webhooks queue events). */
export type RejectionListener = (instances: RejectedInstance[]) => Promise<void>;

/**
 * IHE IOCM (RAD TF-2 4.66/4.67 Rejection Note Stored): a Key Object Selection Document titled
 * with a CID 7011 code, stored over C-STORE or STOW-RS, hides the instances it references from
 * every query and retrieve (their rows leave `instances`); they stay restorable for
 * PACS_REJECTED_RETENTION_DAYS, then go through the deletion path (`blob_removals`). The note
 * itself stays stored and visible: it is the record of the rejection. Instances referenced
 * before they arrive are not remembered; one sent again after its rejection is refused
 * (IngestService), as dcm4chee-arc does.
 */
@Injectable()
export class RejectionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Rejection');
  private sweep: NodeJS.Timeout | undefined;
  private sweeping = false;
  private readonly listeners: RejectionListener[] = [];

  constructor(
    private readonly config: PacsConfig,
    private readonly rows: RejectionRepository,
    private readonly removals: BlobRemovals,
    @Optional() @Inject(REJECTION_AUDIT) private readonly audit?: RejectionAudit,
  ) {}

  /**
   * Every node sweeps on a timer; SKIP LOCKED in the expiry statement lets each row go once
   * across the cluster, and a node that dies leaves its rows to the next sweep of any node.
   */
  onApplicationBootstrap(): void {
    this.sweep = setInterval(() => void this.sweepExpired(), this.config.rejection.sweepSeconds * 1000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  /** Adds a listener; call it before the first ingest (a module's onModuleInit). */
  onRejected(listener: RejectionListener): void {
    this.listeners.push(listener);
  }

  /**
   * Applies the Rejection Note in a just-stored instance, if it is one (a no-op otherwise, and
   * for instances already rejected). Throws IngestError so that the sender retries: the note is
   * stored, and storing it again applies it again.
   */
  async noteStored(sopClassUid: string, sopInstanceUid: string, dataset: DicomJson, source: IngestSource): Promise<void> {
    const note = rejectionNote(sopClassUid, dataset);
    if (!note) return;
    const unique = new Map(note.references.filter((r) => r.sopInstanceUid !== sopInstanceUid).map((r) => [r.sopInstanceUid, r]));
    try {
      const rejected = await this.rows.reject({
        reasonCode: note.reasonCode,
        reasonMeaning: note.reasonMeaning,
        rejectionNoteUid: sopInstanceUid,
        rejectedBy: source.actor ?? null,
        references: [...unique.values()],
      });
      this.log.log({ rejectionNoteUid: sopInstanceUid, reason: note.reasonCode, referenced: unique.size, rejected: rejected.length }, 'rejection note applied');
      if (rejected.length > 0) await this.audit?.rejected(rejected, source);
      if (rejected.length > 0) await this.notify(rejected, sopInstanceUid);
    } catch (err) {
      this.log.error({ rejectionNoteUid: sopInstanceUid, err: (err as Error).message }, 'rejection note could not be applied');
      throw new IngestError('storage-failure', 'the rejection note could not be applied', { sopClassUid, sopInstanceUid });
    }
  }

  list(page: RejectionPage): Promise<RejectedInstance[]> {
    return this.rows.list(page);
  }

  /** Makes a rejected instance visible again, with the study and series it left. Throws NotFoundError. */
  async restore(sopInstanceUid: string): Promise<RejectedInstance> {
    const restored = await this.rows.restore(sopInstanceUid);
    if (!restored) throw new NotFoundError(`no rejected instance ${sopInstanceUid}`);
    this.log.log({ sopInstanceUid, studyUid: restored.studyUid }, 'rejected instance restored');
    return restored;
  }

  /** Deletes for good what was rejected longer than the retention; returns how many. */
  async expireDue(): Promise<number> {
    const seconds = this.config.rejection.retentionDays * 86_400;
    let total = 0;
    for (;;) {
      const expired = await this.rows.expire(seconds, EXPIRY_BATCH);
      if (expired.length === 0) return total;
      total += expired.length;
      const failed = await this.removals.removeCommitted(expired.map((e) => e.blobKey));
      this.log.log({ instances: expired.length, blobsNotRemoved: failed }, 'rejected instances deleted after retention');
      await this.audit?.expired(expired);
    }
  }

  /**
   * The rejection is committed: a listener that fails is logged and does not fail the note
   * (storing it again would reject nothing more, so it could not repair the listener's loss).
   */
  private async notify(rejected: RejectedInstance[], rejectionNoteUid: string): Promise<void> {
    for (const listener of this.listeners) {
      await listener(rejected).catch((err: Error) => this.log.error({ rejectionNoteUid, err: err.message }, 'rejection listener failed'));
    }
  }

  private async sweepExpired(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.expireDue();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'rejection expiry sweep failed; the next one tries again');
    } finally {
      this.sweeping = false;
    }
  }
}
