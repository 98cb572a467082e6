import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PacsConfig } from '@pacs/config';
import { IndexModule } from '@pacs/index';
import { AePolicy } from './association/ae-policy';
import { CommitmentLedger } from './commitment/commitment-ledger';
import { DimseProviders } from './providers/dimse-providers';
import { DimseServer } from './association/dimse-server.service';
import { PeerEntity } from './peers/peer.entity';
import { StorageCommitmentEntity } from './commitment/storage-commitment.entity';
import { PeersController } from './peers/peers.controller';
import { StorageCommitmentsController } from './commitment/storage-commitments.controller';
import { PeersRepository } from './peers/peers.repository';
import { PeersService } from './peers/peers.service';
import { QrFindProvider } from './find/qr-find.provider';

/** The AE policy decides on the cached peers, kept current by PeersService. */
function aePolicyFactory(config: PacsConfig, peers: PeersService): AePolicy {
  const policy = new AePolicy({ ...config.dimse, checkHost: config.security.dimseCheckHost });
  peers.onChange((list) => policy.updatePeers(list));
  return policy;
}

@Module({
  imports: [IndexModule, TypeOrmModule.forFeature([PeerEntity, StorageCommitmentEntity])],
  controllers: [PeersController, StorageCommitmentsController],
  providers: [
    PeersRepository,
    CommitmentLedger,
    PeersService,
    { provide: AePolicy, inject: [PacsConfig, PeersService], useFactory: aePolicyFactory },
    DimseProviders,
    DimseServer,
    QrFindProvider,
  ],
  exports: [DimseServer, PeersService, AePolicy, DimseProviders],
})
export class DimseModule {}
