import { readFileSync } from 'node:fs';
import type { Server as NetServer } from 'node:net';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '@pacs/dicom';
import { PacsMetrics } from '@pacs/metrics';
import { Implementation, Server } from 'dcmjs-dimse';
import { CommitmentResults } from '../commitment/commitment-results';
import { netServerOf } from '../wire/library-fields';
import { routeLibraryLog } from '../wire/library-log';
import { AssociationTracker } from './association-tracker';
import { PacsScp } from './pacs-scp';
import { SCP_SERVICES, ScpServices } from './scp-services';
import { limitTlsHandshake } from './tls-handshake-limit';
import { TLS_CERT_MUST_NAME_AE, TlsPacsScp } from './tls-scp';

/** How long shutdown waits for C-STOREs under way before closing connections. */
const DRAIN_TIMEOUT_MS = 10_000;
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
  private server: Server | undefined;
  /** The DICOM TLS listener (PS3.15 B.1), when PACS_DIMSE_TLS_PORT is set. */
  private tlsServer: Server | undefined;

  constructor(
    private readonly config: PacsConfig,
    private readonly services: ScpServices,
    private readonly tracker: AssociationTracker,
    /** Storage Commitment results: recorded, delivered, tried again until delivered. */
    private readonly commitmentResults: CommitmentResults,
    @Optional() private readonly metrics?: PacsMetrics,
  ) {}

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
      customOptions: { [SCP_SERVICES]: this.services },
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
      customOptions: { [SCP_SERVICES]: this.services, [TLS_CERT_MUST_NAME_AE]: tls.dimseRequireClientCert },
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
}

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
