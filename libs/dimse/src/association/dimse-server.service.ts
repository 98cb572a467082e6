import { readFileSync } from 'node:fs';
import type { Server as NetServer } from 'node:net';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DimseAuditor } from '@pacs/audit';
import { PacsConfig } from '@pacs/config';
import {
  buildPart10Header,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  isStorageSopClass,
  SUPPORTED_TRANSFER_SYNTAXES,
  TransferSyntax,
  VERIFICATION_SOP_CLASS,
} from '@pacs/dicom';
import { IngestError, IngestService, RetrieveService } from '@pacs/index';
import { PacsMetrics } from '@pacs/metrics';
import { BlobStore } from '@pacs/storage';
import { Implementation, Server } from 'dcmjs-dimse';
import { AePolicy } from './ae-policy';
import { AssociationTracker } from './association-tracker';
import { DimseProviders } from '../providers/dimse-providers';
import { routeLibraryLog } from '../wire/library-log';
import { netServerOf } from '../wire/library-fields';
import { PacsScp } from './pacs-scp';
import { PeersService } from '../peers/peers.service';
import { RETRIEVE_SOP_CLASSES } from '../find/qr-sop-classes';
import type { CommitmentDependencies } from '../commitment/commitment-handler';
import { CommitmentLedger } from '../commitment/commitment-ledger';
import { CommitmentResults } from '../commitment/commitment-results';
import { STORAGE_COMMITMENT_SOP_CLASS } from '../commitment/storage-commitment';
import { RetrieveDependencies } from '../retrieve/retrieve-handler';
import type { MoveDestination } from '../retrieve/move-association';
import { SCP_DEPENDENCIES, ScpDependencies } from './scp-dependencies';
import { limitTlsHandshake } from './tls-handshake-limit';
import { OutboundTls, outboundTls } from '../peers/outbound-tls';
import { TLS_CERT_MUST_NAME_AE, TlsPacsScp } from './tls-scp';

/** How long shutdown waits for C-STOREs under way before closing connections. */
const DRAIN_TIMEOUT_MS = 10_000;
/** How long C-MOVE waits to connect and associate with its destination. */
const MOVE_CONNECT_TIMEOUT_MS = 10_000;
/** At most one warning per this interval about connections refused over the cap. */
const REFUSED_LOG_INTERVAL_MS = 10_000;

/**
 * The DIMSE listener. Starts when the application has bootstrapped (peers are loaded by then);
 * on shutdown stops accepting, lets C-STOREs under way finish (bounded), then closes every
 * connection, all before the database closes.
 */
@Injectable()
export class DimseServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Dimse');
  private readonly tracker = new AssociationTracker();
  private server: Server | undefined;
  /** The DICOM TLS listener (PS3.15 B.1), when PACS_DIMSE_TLS_PORT is set. */
  private tlsServer: Server | undefined;
  /** Storage Commitment results: recorded, delivered, tried again until delivered. */
  private readonly commitmentResults: CommitmentResults;
  /** How we open associations to peers registered with `tls`. */
  private readonly outboundTls: OutboundTls;

  constructor(
    private readonly config: PacsConfig,
    private readonly policy: AePolicy,
    private readonly blobStore: BlobStore,
    private readonly ingestService: IngestService,
    private readonly providers: DimseProviders,
    private readonly auditor: DimseAuditor,
    private readonly retrieveService: RetrieveService,
    private readonly peers: PeersService,
    private readonly commitmentLedger: CommitmentLedger,
    @Optional() private readonly metrics?: PacsMetrics,
  ) {
    this.commitmentResults = this.newCommitmentResults();
    this.outboundTls = outboundTls(config.tls);
  }

  async onApplicationBootstrap(): Promise<void> {
    routeLibraryLog(this.logger);
    this.metrics?.gauge('pacs_dimse_associations', 'DICOM associations open now', () => this.tracker.liveAssociations);
    // Our identity in A-ASSOCIATE-AC (PS3.7 D.3.3.2) matches the one in the File Meta we write.
    Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
    Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
    const server = new Server(PacsScp);
    server.on('networkError', (err: Error) => this.logger.debug({ msg: 'DIMSE connection error', err: err.message }));
    server.listen(this.config.dimse.port, {
      ...this.timeouts(),
      customOptions: { [SCP_DEPENDENCIES]: this.dependencies() },
    });
    this.server = server;
    await whenListening(this.capConnections(server, this.config.dimse.port));
    this.logger.log({ msg: 'DIMSE listening', aeTitle: this.config.dimse.aeTitle, port: this.config.dimse.port });
    await this.startTlsListener();
    this.commitmentResults.start();
  }

  /**
   * The DICOM TLS port, PS3.15 B.1 (The Basic TLS Secure Transport Connection Profile): TLS 1.2
   * or later, our certificate; with PACS_DIMSE_TLS_REQUIRE_CLIENT_CERT a client without a
   * certificate signed by PACS_DIMSE_TLS_CA fails the handshake, and the certificate must name
   * the calling AE (TlsPacsScp). Same SCP, policy and tracker as the plain port.
   */
  private async startTlsListener(): Promise<void> {
    const tls = this.config.tls;
    if (tls.dimsePort === null || !tls.dimseCert || !tls.dimseKey) return;
    const server = new Server(TlsPacsScp);
    server.on('networkError', (err: Error) => this.logger.debug({ msg: 'DIMSE TLS connection error', err: err.message }));
    server.listen(tls.dimsePort, {
      ...this.timeouts(),
      securityOptions: {
        key: readFileSync(tls.dimseKey),
        cert: readFileSync(tls.dimseCert),
        ca: tls.dimseCa ? readFileSync(tls.dimseCa) : undefined,
        requestCert: tls.dimseRequireClientCert,
        rejectUnauthorized: tls.dimseRequireClientCert,
        minVersion: 'TLSv1.2',
      },
      customOptions: { [SCP_DEPENDENCIES]: this.dependencies(), [TLS_CERT_MUST_NAME_AE]: tls.dimseRequireClientCert },
    });
    this.tlsServer = server;
    const net = this.capConnections(server, tls.dimsePort);
    if (net) {
      limitTlsHandshake(net, this.config.dimse.associationTimeoutMs, (remoteAddress, waitingFor, ms) => {
        this.logger.warn({ msg: `connection closed: ${waitingFor} within ${ms} ms (ARTIM)`, remoteAddress });
        this.metrics?.dimseArtimClosed.inc();
      });
    }
    await whenListening(net);
    this.logger.log({ msg: 'DIMSE TLS listening', port: tls.dimsePort, clientCertificateRequired: tls.dimseRequireClientCert });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const tlsServer = this.tlsServer;
    this.server = undefined;
    this.tlsServer = undefined;
    this.commitmentResults.stop();
    netServerOf(server)?.close();
    if (tlsServer) netServerOf(tlsServer)?.close();
    this.logger.log({ msg: 'DIMSE stopping', liveAssociations: this.tracker.liveAssociations, storesInFlight: this.tracker.storesInFlight });
    const idle = await this.tracker.waitForStoresIdle(DRAIN_TIMEOUT_MS);
    if (!idle) this.logger.warn({ msg: 'DIMSE shutdown: C-STOREs still under way, closing anyway', storesInFlight: this.tracker.storesInFlight });
    server.close();
    tlsServer?.close();
  }

  /** For the health check: is the DIMSE port accepting associations? */
  isListening(): boolean {
    return this.server !== undefined && (netServerOf(this.server)?.listening ?? false);
  }

  get liveAssociations(): number {
    return this.tracker.liveAssociations;
  }

  /**
   * PacsScp runs ARTIM itself (PS3.8 9.1.5, closing the connection); the library's own
   * association timer, which only half-closes it, is left as a backstop behind it.
   */
  private timeouts(): { pduTimeout: number; associationTimeout: number } {
    return { pduTimeout: this.config.dimse.pduTimeoutMs, associationTimeout: 2 * this.config.dimse.associationTimeoutMs };
  }

  /**
   * Caps the TCP connections of a listener, associated or not: past PACS_DIMSE_MAX_CONNECTIONS
   * Node closes each new one at once ('drop'), before it costs a PDU buffer. One warning per
   * burst, so a flood does not also flood the log.
   */
  private capConnections(server: Server, port: number): NetServer | undefined {
    const net = netServerOf(server);
    if (!net) return net;
    const max = this.config.dimse.maxConnections;
    net.maxConnections = max;
    let refused = 0;
    let quietUntil = 0;
    net.on('drop', (peer?: { remoteAddress?: string }) => {
      refused++;
      this.metrics?.dimseConnectionsRefused.inc();
      if (Date.now() < quietUntil) return;
      quietUntil = Date.now() + REFUSED_LOG_INTERVAL_MS;
      this.logger.warn({ msg: `connection refused: ${max} connections open on port ${port} (PACS_DIMSE_MAX_CONNECTIONS)`, remoteAddress: peer?.remoteAddress, refused });
      refused = 0;
    });
    return net;
  }

  private dependencies(): ScpDependencies {
    const storage: ReadonlySet<string> = new Set(SUPPORTED_TRANSFER_SYNTAXES);
    const services = new Set([...this.providers.sopClassUids(), ...RETRIEVE_SOP_CLASSES, STORAGE_COMMITMENT_SOP_CLASS]);
    return {
      policy: this.policy,
      contexts: {
        transferSyntaxesFor: (uid) => {
          if (uid === VERIFICATION_SOP_CLASS || isStorageSopClass(uid)) return storage;
          return services.has(uid) ? UNCOMPRESSED : undefined;
        },
      },
      providers: this.providers,
      blobStore: this.blobStore,
      ingest: this.ingestService,
      buildPart10Header,
      ingestErrorCode: (err) => (err instanceof IngestError ? err.code : undefined),
      tracker: this.tracker,
      retrieve: this.retrieveDependencies(),
      commitment: this.commitmentDependencies(),
      maxInstanceBytes: this.config.ingest.maxInstanceBytes,
      associationTimeoutMs: this.config.dimse.associationTimeoutMs,
      logger: this.logger,
      audit: this.auditor,
      metrics: this.metrics,
    };
  }

  private commitmentDependencies(): CommitmentDependencies {
    return {
      policy: this.policy,
      results: this.commitmentResults,
      reportDestination: (aeTitle) => this.peerAddress(aeTitle),
      count: (outcome) => this.metrics?.storageCommitments.inc({ outcome }),
    };
  }

  private newCommitmentResults(): CommitmentResults {
    return new CommitmentResults({
      ledger: this.commitmentLedger,
      findStored: (sopInstanceUids) => this.retrieveService.findForRetrieve({ sopInstanceUids }),
      reportDestination: (aeTitle) => this.peerAddress(aeTitle),
      aeTitle: this.config.dimse.aeTitle,
      connectTimeoutMs: MOVE_CONNECT_TIMEOUT_MS,
      pduTimeoutMs: this.config.dimse.pduTimeoutMs,
      retryDelayMs: this.config.dimse.commitmentRetryDelayMs,
      retryHours: this.config.dimse.commitmentRetryHours,
      count: (outcome) => this.metrics?.storageCommitments.inc({ outcome }),
      logger: this.logger,
    });
  }

  private retrieveDependencies(): RetrieveDependencies {
    return {
      policy: this.policy,
      retrieve: this.retrieveService,
      // Move destinations are the registered peers (PS3.4 C.4.2.1.5).
      moveDestination: (aeTitle) => this.peerAddress(aeTitle),
      aeTitle: this.config.dimse.aeTitle,
      connectTimeoutMs: MOVE_CONNECT_TIMEOUT_MS,
      pduTimeoutMs: this.config.dimse.pduTimeoutMs,
    };
  }

  /** A registered peer with a host and port, from the cached snapshot: where C-MOVE and Storage Commitment results go. */
  private peerAddress(aeTitle: string): MoveDestination | undefined {
    const peer = this.peers.cached().find((p) => p.aeTitle.trim() === aeTitle);
    if (!peer?.host || !peer.port) return undefined;
    return { aeTitle: peer.aeTitle.trim(), host: peer.host, port: peer.port, associations: peer.moveAssociations, tls: peer.tls ? this.outboundTls : undefined };
  }
}

/** Query, worklist and procedure-step messages carry no pixel data: the uncompressed syntaxes (PS3.5 A.1, A.2). */
const UNCOMPRESSED: ReadonlySet<string> = new Set([
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

function whenListening(net: NetServer | undefined): Promise<void> {
  if (!net) return Promise.reject(new Error('DIMSE server did not start'));
  if (net.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    net.once('listening', () => {
      net.off('error', reject);
      resolve();
    });
    net.once('error', reject);
  });
}
