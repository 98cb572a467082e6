import { Client, requests, responses } from 'dcmjs-dimse';
import type { PeerAddress } from '../peers/peer-addresses';
import { connectedSocketOf } from '../wire/library-fields';
import { proposeScpRole } from '../wire/role-selection';

/** Where a Storage Commitment report goes on a new association: a registered peer's address. */
export type ReportDestination = Pick<PeerAddress, 'aeTitle' | 'host' | 'port' | 'tls'>;

type Timeouts = { connectTimeoutMs: number; pduTimeoutMs: number };

/**
 * Sends one N-EVENT-REPORT on an association of its own and resolves with the response status
 * (PS3.4 J.3.3: the result may come on a new association, which the SCP opens proposing the SCP
 * role for the SOP class, PS3.7 D.3.3.4). Rejects when the peer cannot be reached, refuses, or
 * closes without answering.
 */
export function sendEventReport(destination: ReportDestination, callingAeTitle: string, request: requests.NEventReportRequest, opts: Timeouts): Promise<number> {
  const client = new Client();
  client.addRequest(request);
  return new Promise<number>((resolve, reject) => {
    let status: number | undefined;
    request.on('response', (response: responses.NEventReportResponse) => {
      status = response.getStatus();
      resolve(status);
    });
    client.on('associationRejected', () => reject(new Error(`${destination.aeTitle} rejected the association`)));
    client.on('networkError', (err: Error) => reject(err));
    client.on('closed', () => {
      if (status === undefined) reject(new Error(`${destination.aeTitle} closed the association without answering`));
    });
    client.send(destination.host, destination.port, callingAeTitle, destination.aeTitle, {
      connectTimeout: opts.connectTimeoutMs,
      associationTimeout: opts.connectTimeoutMs,
      pduTimeout: opts.pduTimeoutMs,
      securityOptions: destination.tls,
    });
    const socket = connectedSocketOf(client);
    if (!socket) return reject(new Error('no connection was opened'));
    socket.setNoDelay(true);
    proposeScpRole(socket, request.getAffectedSopClassUid());
  });
}
