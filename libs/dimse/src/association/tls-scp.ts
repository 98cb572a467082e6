import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { association as dimseAssociation } from 'dcmjs-dimse';
import { AssociateReject, normalizeAe } from './ae-policy';
import { PacsScp } from './pacs-scp';
import { SCP_SERVICES, ScpServices } from './scp-services';

type ScpOptions = ConstructorParameters<typeof PacsScp>[1];

/** Key in `customOptions`: whether the client certificate must name the calling AE. */
export const TLS_CERT_MUST_NAME_AE = 'pacsTlsCertMustNameAe';

/**
 * An association on the DICOM TLS port (PS3.15 B.1). The TLS layer has already checked the
 * client certificate against the CA when one is required; here it is mapped to a peer: its
 * subject CN, or one of its subjectAltName DNS entries, must equal the calling AE title, so
 * a certificate issued to one modality cannot be used to speak as another. A mismatch is
 * rejected like an unknown calling AE (PS3.8 9.3.4). Everything else is PacsScp's.
 */
export class TlsPacsScp extends PacsScp {
  private readonly tlsSocket: TLSSocket;
  private readonly certMustNameAe: boolean;
  private readonly log: ScpServices['logger'];

  constructor(socket: Socket, opts?: ScpOptions) {
    super(socket, opts);
    this.tlsSocket = socket as TLSSocket;
    this.certMustNameAe = opts?.customOptions?.[TLS_CERT_MUST_NAME_AE] === true;
    this.log = (opts?.customOptions?.[SCP_SERVICES] as ScpServices).logger;
  }

  override associationRequested(association: dimseAssociation.Association): void {
    if (this.certMustNameAe) {
      const callingAe = normalizeAe(association.getCallingAeTitle());
      const names = certificateNames(this.tlsSocket);
      if (!names.includes(callingAe)) {
        this.log.warn({ msg: 'association rejected', callingAe, remoteAddress: this.tlsSocket.remoteAddress, why: 'client certificate does not name the calling AE title', certificateNames: names });
        const R = AssociateReject;
        this.sendAssociationReject(R.ResultPermanent, R.SourceServiceUser, R.ReasonCallingAeNotRecognized);
        return;
      }
    }
    super.associationRequested(association);
  }
}

/** Subject CN and subjectAltName DNS names of the verified client certificate. */
export function certificateNames(socket: { authorized: boolean; getPeerCertificate(): PeerCertificate }): string[] {
  if (!socket.authorized) return [];
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return [];
  const cn = cert.subject?.CN;
  const names = Array.isArray(cn) ? cn : cn ? [cn] : [];
  const dns = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  return [...names, ...dns].map((n) => n.trim());
}
