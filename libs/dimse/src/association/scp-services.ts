import { Injectable, Logger, Optional } from '@nestjs/common';
import { DimseAuditor } from '@pacs/audit';
import { DeidProfileSetting, PacsConfig } from '@pacs/config';
import { CopyIngest, DeidService } from '@pacs/deid';
import { IngestService, RetrieveService } from '@pacs/index';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore } from '@pacs/storage';
import { CommitmentResults } from '../commitment/commitment-results';
import type { CommitmentDependencies } from '../commitment/commitment-handler';
import { PEER_CONNECT_TIMEOUT_MS, PeerAddresses } from '../peers/peer-addresses';
import { PeersService } from '../peers/peers.service';
import { DimseProviders } from '../providers/dimse-providers';
import type { RetrieveDependencies } from '../retrieve/retrieve-handler';
import { AePolicy } from './ae-policy';
import { AssociationTracker } from './association-tracker';
import { ServedContexts } from './served-contexts';

/**
 * The services every PacsScp uses, injected by Nest. dcmjs-dimse constructs one Scp per
 * connection itself, so they reach it through
 * `Server.listen(port, { customOptions: { [SCP_SERVICES]: services } })`; what belongs to one
 * association (its caller, its C-STOREs, its running retrieves) stays in that PacsScp.
 */
@Injectable()
export class ScpServices {
  readonly logger = new Logger('Dimse');
  /** C-MOVE and C-GET: instances, move destinations, timeouts. */
  readonly retrieve: RetrieveDependencies;
  /** Storage Commitment: where requests are recorded and results go. */
  readonly commitment: CommitmentDependencies;
  /** C-STORE from peers registered with `deidentifyOnReceive`: their profile, and how copies are made and stored. */
  readonly receive: {
    profileOf(callingAe: string): DeidProfileSetting | undefined;
    deid: Pick<DeidService, 'deidentify'>;
    copies: CopyIngest;
    blobs: BlobStore;
  };
  readonly maxInstanceBytes: number;
  /** ARTIM timeout (PS3.8 9.1.5): how long a connection may go without an association. */
  readonly associationTimeoutMs: number;

  constructor(
    readonly policy: AePolicy,
    readonly contexts: ServedContexts,
    /** C-FIND, N-CREATE and N-SET services registered by domain modules. */
    readonly providers: DimseProviders,
    readonly blobStore: BlobStore,
    readonly ingest: IngestService,
    readonly tracker: AssociationTracker,
    /** The audit trail (PS3.15 A.5): each call resolves once its event is committed. */
    readonly audit: DimseAuditor,
    peers: PeerAddresses,
    retrieveService: RetrieveService,
    commitmentResults: CommitmentResults,
    config: PacsConfig,
    peersService: PeersService,
    deid: DeidService,
    copies: CopyIngest,
    /** Counters of what ends before ingest (refusals, oversized instances, ARTIM). */
    @Optional() readonly metrics?: PacsMetrics,
  ) {
    const { aeTitle, pduTimeoutMs } = config.dimse;
    this.retrieve = { policy, retrieve: retrieveService, destinations: peers, deid, aeTitle, connectTimeoutMs: PEER_CONNECT_TIMEOUT_MS, pduTimeoutMs };
    this.receive = { profileOf: (ae) => peersService.receiveProfile(ae), deid, copies, blobs: blobStore };
    this.commitment = { policy, results: commitmentResults, destinations: peers, metrics };
    this.maxInstanceBytes = config.ingest.maxInstanceBytes;
    this.associationTimeoutMs = config.dimse.associationTimeoutMs;
  }
}

/** The key of ScpServices inside `customOptions`. */
export const SCP_SERVICES = 'pacsScpServices';
