// Public API of @pacs/dimse: the DIMSE server, the AE policy and the peers (move destinations).
export { DimseModule } from './dimse.module';
export { DimseServer } from './dimse-server.service';
export { PeersService } from './peers.service';
export type { PeersListener } from './peers.service';
export { AePolicy } from './ae-policy';
export type { PeerView } from './dto/peer.dto';
export { errorComment } from './dimse-status';
export { DimseProviders, DimseFailure } from './dimse-providers';
export type { DicomAttributes, DimseCaller, FindProvider, NormalizedProvider } from './dimse-providers';
