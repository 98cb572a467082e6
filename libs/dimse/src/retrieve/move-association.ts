import { association as dimseAssociation, Client, requests } from 'dcmjs-dimse';
import type { StoreChannel } from './store-channel';
import { acceptedSyntaxesOf, sendAndAwait } from './store-channel';
import { ClientNetwork, driveClientNetwork } from '../wire/library-fields';
import type { PeerAddress } from '../peers/peer-addresses';
import type { PduRefusal } from '../wire/pdu-guard';

type Association = dimseAssociation.Association;
type CStoreRequest = requests.CStoreRequest;

/** A C-MOVE destination: a registered peer with a host and port. */
export type MoveDestination = PeerAddress;

type OpenOptions = {
  connectTimeoutMs: number;
  pduTimeoutMs: number;
  /** Hears why an association was aborted: more than we take in, or what DICOM does not allow (leanMessageCoding). */
  aborted?: (refusal: PduRefusal) => void;
};

const UNCOMPRESSED = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];

/**
 * The association C-MOVE opens to its destination (PS3.4 C.4.2.3): for each SOP class one
 * presentation context per stored transfer syntax (sent as stored) and one uncompressed context
 * to fall back on. dcmjs-dimse's Client sends a fixed request list; here its Network is driven
 * one request at a time instead, so only one instance is in memory at once.
 */
export class MoveAssociation implements StoreChannel {
  private accepted: Association | undefined;
  private readonly ended: Promise<never>;
  private endWith: (err: Error) => void = () => undefined;

  private constructor(
    private readonly client: Client,
    private readonly network: ClientNetwork,
  ) {
    this.ended = new Promise<never>((_, reject) => (this.endWith = reject));
    this.ended.catch(() => undefined);
  }

  /** Connects and negotiates; rejects when the destination refuses or cannot be reached. */
  static async open(
    destination: MoveDestination,
    callingAeTitle: string,
    syntaxesByClass: Map<string, Set<string>>,
    opts: OpenOptions,
  ): Promise<MoveAssociation> {
    const client = new Client();
    // Client.send() needs a request to start; this one is never sent (the Network is driven below).
    client.addRequest(new requests.CEchoRequest());
    for (const [sopClassUid, stored] of syntaxesByClass) {
      for (const ts of stored) client.addAdditionalPresentationContext(new dimseAssociation.PresentationContext(0, sopClassUid, ts), true);
      const fallback = new dimseAssociation.PresentationContext(0, sopClassUid);
      for (const ts of UNCOMPRESSED) fallback.addTransferSyntaxUid(ts);
      client.addAdditionalPresentationContext(fallback, true);
    }
    client.send(destination.host, destination.port, callingAeTitle, destination.aeTitle, {
      connectTimeout: opts.connectTimeoutMs,
      associationTimeout: opts.connectTimeoutMs,
      pduTimeout: opts.pduTimeoutMs,
      securityOptions: destination.tls,
    });
    const network = driveClientNetwork(client, opts.aborted);
    const move = new MoveAssociation(client, network);
    await move.negotiate();
    return move;
  }

  private negotiate(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.network.on('associationAccepted', (association: Association) => {
        this.accepted = association;
        resolve();
      });
      this.client.on('associationRejected', () => reject(new Error('move destination rejected the association')));
      this.client.on('networkError', (err: Error) => {
        reject(err);
        this.endWith(err);
      });
      this.client.on('closed', () => {
        const err = new Error('move destination closed the association');
        reject(err);
        this.endWith(err);
      });
    });
  }

  acceptedSyntaxes(sopClassUid: string): string[] {
    return acceptedSyntaxesOf(this.accepted, sopClassUid, false);
  }

  store(request: CStoreRequest): Promise<number> {
    return sendAndAwait((r) => this.network.sendRequests(r), request, this.ended);
  }

  /** A-RELEASE (PS3.8 7.2); resolves when the connection has closed. */
  async release(): Promise<void> {
    const closed = this.ended.catch(() => undefined);
    this.network.sendAssociationReleaseRequest();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  }
}

/**
 * The associations of one C-MOVE to its destination, opened at once: as many as the peer takes
 * (`moveAssociations`), at most one per instance, each sending the next instance when it is free.
 * Only the first must open; a destination that takes one association at a time (DCMTK storescp
 * without --fork) answers the others after the first is released, when nothing is left to send.
 */
export class MoveAssociations {
  private readonly opened = new Set<MoveAssociation>();
  private releasing = false;

  private constructor(
    private readonly openings: Promise<MoveAssociation>[],
    extraRefused: (err: unknown) => void,
  ) {
    openings.forEach((opening, n) => {
      // One that opens after the retrieve is over has nothing to send.
      opening.then(
        (association) => {
          if (this.releasing) void association.release().catch(() => undefined);
          else this.opened.add(association);
        },
        (err) => {
          if (n > 0) extraRefused(err);
        },
      );
    });
  }

  /** `extraRefused` hears of each association after the first that could not be opened. */
  static open(
    destination: MoveDestination,
    callingAeTitle: string,
    syntaxesByClass: Map<string, Set<string>>,
    opts: OpenOptions & { instances: number; extraRefused: (err: unknown) => void },
  ): MoveAssociations {
    const count = Math.max(1, Math.min(destination.associations, opts.instances));
    const openings = Array.from({ length: count }, () => MoveAssociation.open(destination, callingAeTitle, syntaxesByClass, opts));
    return new MoveAssociations(openings, opts.extraRefused);
  }

  /** Resolves when the first association is open; rejects with its error when none opens. */
  async first(): Promise<void> {
    try {
      await Promise.any(this.openings);
    } catch (err) {
      throw err instanceof AggregateError ? err.errors[0] : err;
    }
  }

  channels(): Promise<StoreChannel>[] {
    return this.openings;
  }

  /** A-RELEASE of those open now, waited for; those still opening are released when they open. */
  async release(): Promise<void> {
    this.releasing = true;
    await Promise.all([...this.opened].map((association) => association.release().catch(() => undefined)));
  }
}
