// Public API of @pacs/dimse: the DIMSE server, the AE policy and the peers (move destinations).
export { DimseModule } from './dimse.module';
export { DimseServer } from './association/dimse-server.service';
export { PeersService } from './peers/peers.service';
export type { PeersListener } from './peers/peers.service';
export { AePolicy } from './association/ae-policy';
export type { PeerView } from './peers/dto/peer.dto';
export { errorComment } from './dimse-status';
export { DimseProviders, DimseFailure } from './providers/dimse-providers';
export { toDicomJson } from './wire/dataset-writer';
export type { DicomAttributes, DimseCaller, FindProvider, NormalizedProvider } from './providers/dimse-providers';
export { ForwardUnreachable, StoreScu } from './forward/store-scu';
export type { ForwardOutcome } from './forward/store-scu';
export { FindScu, RemoteUnreachable } from './remote/find-scu';
