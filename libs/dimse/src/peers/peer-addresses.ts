import { Injectable } from '@nestjs/common';
import { DeidProfileSetting, PacsConfig } from '@pacs/config';
import { OutboundTls, outboundTls } from './outbound-tls';
import { PeersService } from './peers.service';

/** How long we wait to connect and associate with a peer (C-MOVE destination, commitment report). */
export const PEER_CONNECT_TIMEOUT_MS = 10_000;

/** Where a registered peer is reached on an association we open. */
export interface PeerAddress {
  aeTitle: string;
  host: string;
  port: number;
  /** Associations a C-MOVE may open to it at once (the peer's `moveAssociations`, 1 or more). */
  associations: number;
  /** Set for a peer registered with `tls`: the association goes over TLS. */
  tls?: OutboundTls;
  /** Set for a peer registered with `deidentify`: a C-MOVE sends it de-identified copies. */
  deidentify?: DeidProfileSetting;
}

/**
 * The addresses of registered peers, from PeersService's cached snapshot: where C-MOVE sends
 * (PS3.4 C.4.2.1.5: a destination must be known) and where Storage Commitment results go on a
 * new association (PS3.4 J.3.3).
 */
@Injectable()
export class PeerAddresses {
  /** How we open associations to peers registered with `tls`. */
  private readonly tls: OutboundTls;

  constructor(
    private readonly peers: PeersService,
    config: PacsConfig,
  ) {
    this.tls = outboundTls(config.tls);
  }

  /** The peer with this AE title when it has a host and port; undefined otherwise. */
  find(aeTitle: string): PeerAddress | undefined {
    const peer = this.peers.cached().find((p) => p.aeTitle.trim() === aeTitle);
    if (!peer?.host || !peer.port) return undefined;
    return {
      aeTitle: peer.aeTitle.trim(),
      host: peer.host,
      port: peer.port,
      associations: peer.moveAssociations,
      tls: peer.tls ? this.tls : undefined,
      deidentify: peer.deidentify ?? undefined,
    };
  }
}
