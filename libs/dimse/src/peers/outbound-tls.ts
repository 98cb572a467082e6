import { readFileSync } from 'node:fs';
import type { PacsConfig } from '@pacs/config';

/** How dcmjs-dimse's Client opens a TLS connection (its `securityOptions`). */
export interface OutboundTls {
  key?: Buffer;
  cert?: Buffer;
  ca?: Buffer;
  rejectUnauthorized: true;
  minVersion: 'TLSv1.2';
}

/**
 * Our side of an association we open over TLS (PS3.15 B.1) to a peer registered with `tls`:
 * the peer's certificate must chain to PACS_DIMSE_TLS_CA (the system's CAs when unset) and name
 * the host we connect to (Node's check); our DIMSE certificate and key, when set, are presented
 * as the client certificate, so a peer that requires one (DCMTK does by default) accepts us.
 * Files are read once, at start.
 */
export function outboundTls(tls: PacsConfig['tls']): OutboundTls {
  const read = (path: string | null) => (path ? readFileSync(path) : undefined);
  const withIdentity = tls.dimseCert && tls.dimseKey ? { key: read(tls.dimseKey), cert: read(tls.dimseCert) } : {};
  return { ...withIdentity, ca: read(tls.dimseCa), rejectUnauthorized: true, minVersion: 'TLSv1.2' };
}
