import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PacsConfig } from '@pacs/config';
import { DeidModule } from '@pacs/deid';
import { IndexModule, RetrieveService } from '@pacs/index';
import { PacsMetrics } from '@pacs/metrics';
import { AePolicy } from './association/ae-policy';
import { AssociationTracker } from './association/association-tracker';
import { DimseServer } from './association/dimse-server.service';
import { ScpServices } from './association/scp-services';
import { ServedContexts } from './association/served-contexts';
import { CommitmentLedger } from './commitment/commitment-ledger';
import { CommitmentResults } from './commitment/commitment-results';
import { StorageCommitmentEntity } from './commitment/storage-commitment.entity';
import { StorageCommitmentsController } from './commitment/storage-commitments.controller';
import { QrFindProvider } from './find/qr-find.provider';
import { StoreScu } from './forward/store-scu';
import { PeerEntity } from './peers/peer.entity';
import { PEER_CONNECT_TIMEOUT_MS, PeerAddresses } from './peers/peer-addresses';
import { PeersController } from './peers/peers.controller';
import { PeersRepository } from './peers/peers.repository';
import { PeersService } from './peers/peers.service';
import { DimseProviders } from './providers/dimse-providers';
import { FindScu } from './remote/find-scu';
import { RemoteController } from './remote/remote.controller';

/** The AE policy decides on the cached peers, kept current by PeersService. */
function aePolicyFactory(config: PacsConfig, peers: PeersService): AePolicy {
  const policy = new AePolicy({ ...config.dimse, checkHost: config.security.dimseCheckHost });
  peers.onChange((list) => policy.updatePeers(list));
  return policy;
}

/** Storage Commitment results go to the registered peers, with the retry settings of PACS_COMMITMENT_*. */
function commitmentResultsFactory(config: PacsConfig, ledger: CommitmentLedger, retrieve: RetrieveService, peers: PeerAddresses, metrics?: PacsMetrics): CommitmentResults {
  return new CommitmentResults({
    ledger,
    findStored: (sopInstanceUids) => retrieve.findForRetrieve({ sopInstanceUids }),
    reportDestination: (aeTitle) => peers.find(aeTitle),
    aeTitle: config.dimse.aeTitle,
    connectTimeoutMs: PEER_CONNECT_TIMEOUT_MS,
    pduTimeoutMs: config.dimse.pduTimeoutMs,
    retryDelayMs: config.dimse.commitmentRetryDelayMs,
    retryHours: config.dimse.commitmentRetryHours,
    count: (outcome) => metrics?.storageCommitments.inc({ outcome }),
    logger: new Logger('Dimse'),
  });
}

@Module({
  imports: [IndexModule, DeidModule, TypeOrmModule.forFeature([PeerEntity, StorageCommitmentEntity])],
  controllers: [PeersController, StorageCommitmentsController, RemoteController],
  providers: [
    PeersRepository,
    CommitmentLedger,
    PeersService,
    PeerAddresses,
    { provide: AePolicy, inject: [PacsConfig, PeersService], useFactory: aePolicyFactory },
    {
      provide: CommitmentResults,
      inject: [PacsConfig, CommitmentLedger, RetrieveService, PeerAddresses, { token: PacsMetrics, optional: true }],
      useFactory: commitmentResultsFactory,
    },
    AssociationTracker,
    DimseProviders,
    ServedContexts,
    ScpServices,
    DimseServer,
    QrFindProvider,
    StoreScu,
    FindScu,
  ],
  exports: [DimseServer, PeersService, AePolicy, DimseProviders, StoreScu, FindScu],
})
export class DimseModule {}
