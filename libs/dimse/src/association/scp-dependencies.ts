import type { Logger } from '@nestjs/common';
import type { DimseAuditor } from '@pacs/audit';
import type { Part10Meta } from '@pacs/dicom';
import type { IngestOutcome, IngestSource } from '@pacs/index';
import type { PacsMetrics } from '@pacs/metrics';
import type { BlobStore } from '@pacs/storage';
import type { AePolicy } from './ae-policy';
import type { AssociationTracker } from './association-tracker';
import type { CommitmentDependencies } from '../commitment/commitment-handler';
import type { DimseProviders } from '../providers/dimse-providers';
import type { ContextRules } from './presentation-context';
import type { RetrieveDependencies } from '../retrieve/retrieve-handler';

/**
 * What every PacsScp needs. dcmjs-dimse constructs one Scp per connection itself, so these reach
 * it through `Server.listen(port, { customOptions: { [SCP_DEPENDENCIES]: deps } })`.
 */
export interface ScpDependencies {
  policy: AePolicy;
  contexts: ContextRules;
  blobStore: Pick<BlobStore, 'createTemp' | 'discardTemp'>;
  ingest: {
    ingest(temp: Parameters<BlobStore['discardTemp']>[0], source: IngestSource): Promise<IngestOutcome>;
    announce(sopInstanceUid: string): void;
  };
  buildPart10Header(meta: Part10Meta): Buffer;
  /** Recognizes an IngestError and yields its code; undefined for any other error. */
  ingestErrorCode(err: unknown): string | undefined;
  /** C-FIND, N-CREATE and N-SET services registered by domain modules. */
  providers: DimseProviders;
  tracker: AssociationTracker;
  /** C-MOVE and C-GET: instances, move destinations, timeouts. */
  retrieve: RetrieveDependencies;
  /** Storage Commitment: stored instances, where results go, timeouts. */
  commitment: CommitmentDependencies;
  maxInstanceBytes: number;
  /** ARTIM timeout (PS3.8 9.1.5): how long a connection may go without an association. */
  associationTimeoutMs: number;
  logger: Pick<Logger, 'log' | 'warn' | 'error' | 'debug'>;
  /** The audit trail (PS3.15 A.5): each call resolves once its event is committed. */
  audit: DimseAuditor;
  /** Counters of what ends before ingest (refusals, oversized instances, ARTIM); absent in tools. */
  metrics?: Pick<PacsMetrics, 'instancesRefused' | 'dimseArtimClosed'>;
}

/** The key of ScpDependencies inside `customOptions`. */
export const SCP_DEPENDENCIES = 'pacsScpDependencies';
