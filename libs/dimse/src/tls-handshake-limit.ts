import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * Bounds the TLS handshake on the DICOM TLS port by the ARTIM timeout (PS3.8 9.1.5: the timer
 * runs from the transport connection until an A-ASSOCIATE-RQ; on a TLS port the handshake is
 * the first part of that wait). dcmjs-dimse makes the TLS server without a handshake timeout,
 * which leaves Node's default of 120 s: a peer that connects and never finishes the handshake
 * would hold one of PACS_DIMSE_MAX_CONNECTIONS for two minutes, and after that PacsScp's own
 * ARTIM takes over. Tracked per TCP connection, released once the handshake succeeds.
 */
export function limitTlsHandshake(server: NetServer, timeoutMs: number, expired: (remoteAddress: string | undefined, timeoutMs: number) => void): void {
  const pending = new Map<string, NodeJS.Timeout>();
  const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  server.on('connection', (socket: Socket) => {
    const key = keyOf(socket);
    const timer = setTimeout(() => {
      pending.delete(key);
      expired(socket.remoteAddress, timeoutMs);
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    pending.set(key, timer);
    socket.once('close', () => {
      clearTimeout(timer);
      pending.delete(key);
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const key = keyOf(socket);
    clearTimeout(pending.get(key));
    pending.delete(key);
  });
}
