import type { Server, Socket } from 'node:net';
import { BurstLog } from './burst-log';

export interface ConnectionCaps {
  /** PACS_HTTP_MAX_CONNECTIONS */
  total: number;
  /** PACS_HTTP_MAX_CONNECTIONS_PER_ADDRESS */
  perAddress: number;
}

/**
 * Caps the TCP connections of the HTTP server, in total and per client address, counted at
 * accept, before TLS or HTTP cost anything: a connection beyond a cap is closed at once. The
 * total is Node's own `maxConnections` (it closes the handle and emits 'drop'); the
 * per-address count is kept here. Idle keep-alive connections count too: they hold a socket.
 */
export function capConnections(server: Server, caps: ConnectionCaps, log: BurstLog): void {
  server.maxConnections = caps.total;
  server.on('drop', (peer?: { remoteAddress?: string }) => {
    log.warn('connections-total', {
      msg: `HTTP connection refused: ${caps.total} connections open (PACS_HTTP_MAX_CONNECTIONS)`,
      remoteAddress: peer?.remoteAddress,
    });
  });
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= caps.perAddress) {
      log.warn('connections-per-address', {
        msg: `HTTP connection refused: ${caps.perAddress} connections open from ${address} (PACS_HTTP_MAX_CONNECTIONS_PER_ADDRESS)`,
        remoteAddress: address,
      });
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
