import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ArtimTimer } from './artim-timer';

/**
 * Bounds the TLS handshake on the DICOM TLS port by ARTIM (PS3.8 9.1.5: the timer runs from the
 * transport connection until an A-ASSOCIATE-RQ; on a TLS port the handshake is the first part of
 * that wait). dcmjs-dimse makes the TLS server without a handshake timeout, which leaves Node's
 * default of 120 s: a peer that connects and never finishes the handshake would hold one of
 * PACS_DIMSE_MAX_CONNECTIONS for two minutes, and after that PacsScp's own ARTIM takes over.
 * One timer per TCP connection, stopped once the handshake succeeds.
 */
export function limitTlsHandshake(server: NetServer, timeoutMs: number, expired: (remoteAddress: string | undefined, waitingFor: string, timeoutMs: number) => void): void {
  const pending = new Map<string, ArtimTimer>();
  const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  const stop = (key: string) => {
    pending.get(key)?.stop();
    pending.delete(key);
  };
  server.on('connection', (socket: Socket) => {
    const key = keyOf(socket);
    const artim = new ArtimTimer(timeoutMs, (waitingFor, ms) => {
      pending.delete(key);
      expired(socket.remoteAddress, waitingFor, ms);
      socket.destroy();
    });
    artim.start('TLS handshake not completed');
    pending.set(key, artim);
    socket.once('close', () => stop(key));
  });
  server.on('secureConnection', (socket: TLSSocket) => stop(keyOf(socket)));
}
