import type { Server as NetServer, Socket } from 'node:net';
import type { Client, requests, Server } from 'dcmjs-dimse';
import { leanMessageCoding } from './dataset-encoding';
import type { PduRefusal } from './pdu-guard';

/** The dcmjs-dimse version every read and patch in wire/ was written against; package.json pins it. */
export const DCMJS_DIMSE_VERSION = '0.3.3';

/** The part of dcmjs-dimse's Network a caller drives itself (a Client keeps it in `network`). */
export interface ClientNetwork {
  sendRequests(request: requests.CStoreRequest): void;
  sendAssociationReleaseRequest(): void;
  on(event: string, listener: (...args: never[]) => void): void;
}

type LibraryNetwork = ClientNetwork & {
  socket?: Socket;
  lastPduTime?: number;
  removeAllListeners(event: string): void;
};

/** The net.Server a listening dcmjs-dimse Server keeps in its undeclared `server` field. */
export function netServerOf(server: Server): NetServer | undefined {
  return (server as unknown as { server?: NetServer }).server;
}

/** The socket `client.send()` has just connected (its Network's `socket`), if any. */
export function connectedSocketOf(client: Client): Socket | undefined {
  return networkOf(client)?.socket;
}

/**
 * dcmjs-dimse aborts an association when no PDU came in for `pduTimeout`; long sub-operations of
 * our own count as activity too (GOTCHAS: pduTimeout counts only inbound PDUs).
 */
export function resetPduTimer(network: object): void {
  (network as LibraryNetwork).lastPduTime = Date.now();
}

/**
 * Takes over the Network `client.send()` has just connected, so the caller sends one request at
 * a time instead of the Client's fixed list: Nagle off (each small command PDU would wait up to
 * ~40 ms, GOTCHAS), lean message coding, and the Client's own 'associationAccepted' and 'done'
 * listeners (which send the list, then release) removed.
 */
export function driveClientNetwork(client: Client, onAbort?: (refusal: PduRefusal) => void): ClientNetwork {
  const network = networkOf(client);
  if (!network) throw new Error(`dcmjs-dimse Client has no network after send(): check driveClientNetwork against ${DCMJS_DIMSE_VERSION}`);
  network.socket?.setNoDelay(true);
  leanMessageCoding(network, onAbort);
  network.removeAllListeners('associationAccepted');
  network.removeAllListeners('done');
  return network;
}

function networkOf(client: Client): LibraryNetwork | undefined {
  return (client as unknown as { network?: LibraryNetwork }).network;
}
