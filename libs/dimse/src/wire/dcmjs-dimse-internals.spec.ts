import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Server as NetServer, Socket } from 'node:net';
import { Client, Dataset, log, requests, responses, Scp, Server, version } from 'dcmjs-dimse';
import { connectedSocketOf, DCMJS_DIMSE_VERSION, netServerOf } from './library-fields';

// dcmjs-dimse logs each connection and PDU at info.
log.setLevel('silent');

/**
 * Every field and method of dcmjs-dimse that wire/ reads or replaces, checked against the
 * installed library: when an upgrade changes one, this fails naming it, rather than an
 * association failing somewhere in the end-to-end tier.
 */
function internal(what: string, usedBy: string): string {
  return `dcmjs-dimse ${String(version)} changed ${what}, which wire/${usedBy} relies on as in the pinned ${DCMJS_DIMSE_VERSION}: read wire/${usedBy} against the installed version`;
}

function assertMethod(owner: object, ownerName: string, name: string, arity: number, usedBy: string): void {
  const method = (owner as Record<string, unknown>)[name];
  const shape = typeof method === 'function' ? `a function of ${method.length} parameters` : String(typeof method);
  assert.ok(typeof method === 'function' && method.length === arity, internal(`${ownerName}.${name} (now ${shape}, expected a function of ${arity})`, usedBy));
}

function assertField(owner: object, ownerName: string, name: string, usedBy: string): void {
  assert.ok(name in owner, internal(`${ownerName}.${name} (no such field)`, usedBy));
}

/** The library's Network class: not exported, the parent of Scp (and of the Client's connection). */
const networkPrototype = Object.getPrototypeOf(Scp.prototype) as object;

class EchoScp extends Scp {
  static seen: { association: boolean } | undefined;

  override associationRequested(association: unknown): void {
    EchoScp.seen = { association: (this as unknown as { association?: unknown }).association === association };
    this.sendAssociationAccept();
  }

  override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
    callback(responses.CEchoResponse.fromRequest(request));
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }
}

describe(`dcmjs-dimse internals patched by wire/ (pinned ${DCMJS_DIMSE_VERSION})`, () => {
  it('is the version wire/ was written against', () => {
    const installed = (createRequire(require.resolve('dcmjs-dimse'))('../package.json') as { version: string }).version;
    assert.equal(installed, DCMJS_DIMSE_VERSION, `dcmjs-dimse ${installed} is installed; wire/ patches the internals of ${DCMJS_DIMSE_VERSION}: check every file in wire/ against it, then update DCMJS_DIMSE_VERSION`);
  });

  it('has the Network methods message coding, request screening and C-MOVE replace or call', () => {
    assertMethod(networkPrototype, 'Network.prototype', '_sendPDataTF', 3, 'dataset-encoding.ts');
    assertMethod(networkPrototype, 'Network.prototype', '_performDimse', 2, 'dataset-encoding.ts and received-requests.ts');
    assertMethod(networkPrototype, 'Network.prototype', '_sendDimse', 1, 'received-requests.ts');
    assertMethod(networkPrototype, 'Network.prototype', 'sendRequests', 1, 'library-fields.ts (ClientNetwork)');
    assertMethod(networkPrototype, 'Network.prototype', 'sendAssociationReleaseRequest', 0, 'library-fields.ts (ClientNetwork)');
  });

  it('parses command sets through Dataset._fromElementsBuffer and sends getDenaturalizedDataset', () => {
    assertMethod(Dataset.prototype, 'Dataset.prototype', '_fromElementsBuffer', 3, 'dataset-encoding.ts');
    assertMethod(Dataset.prototype, 'Dataset.prototype', 'getDenaturalizedDataset', 2, 'dataset-writer.ts (EncodedDataset)');
  });

  it("gathers received bytes with memorystream's toBuffer on each of its three stream classes", () => {
    type MemoryStream = { new (): object; createReadStream(): object; createWriteStream(): object };
    const memoryStream = createRequire(require.resolve('dcmjs-dimse'))('memorystream') as MemoryStream;
    for (const stream of [new memoryStream(), memoryStream.createReadStream(), memoryStream.createWriteStream()]) {
      assertMethod(Object.getPrototypeOf(stream) as object, 'memorystream prototype', 'toBuffer', 0, 'dataset-encoding.ts');
      assert.ok(Array.isArray((stream as { queue?: unknown }).queue), internal('memorystream.queue (no longer an array)', 'dataset-encoding.ts'));
    }
  });

  it('keeps the socket, its one data listener, the PDU timer and the statistics on each Network', () => {
    const socket = new Socket();
    const scp = new Scp(socket, {}) as unknown as Record<string, unknown>;
    try {
      assert.equal(scp.socket, socket, internal('Network.socket (not the socket it was given)', 'dataset-encoding.ts'));
      assert.equal(socket.listenerCount('data'), 1, internal(`the Network's socket 'data' listeners (${socket.listenerCount('data')}, expected 1)`, 'dataset-encoding.ts'));
      assertField(scp, 'Network', 'lastPduTime', 'library-fields.ts (resetPduTimer)');
      assertField(scp, 'Network', 'dimseStream', 'dataset-encoding.ts');
      assertMethod(scp.statistics as object, 'Network.statistics', 'addBytesSent', 1, 'dataset-encoding.ts');
    } finally {
      // Closing the socket stops the Network's PDU timer.
      socket.destroy();
    }
  });

  it('keeps the listening net.Server in Server.server', async () => {
    const server = new Server(Scp);
    server.listen(0);
    const net = netServerOf(server);
    try {
      assert.ok(net instanceof NetServer, internal('Server.server (no net.Server after listen)', 'library-fields.ts (netServerOf)'));
    } finally {
      server.close();
      await new Promise((resolve) => net?.close(resolve));
    }
  });

  it("connects a Client's Network at send(), with the listeners C-MOVE detaches, and holds the negotiated association", async () => {
    EchoScp.seen = undefined;
    const server = new Server(EchoScp);
    server.listen(0);
    const net = netServerOf(server) as NetServer;
    await new Promise((resolve) => (net.listening ? resolve(undefined) : net.once('listening', resolve)));
    const client = new Client();
    client.addRequest(new requests.CEchoRequest());
    const closed = new Promise((resolve) => client.on('closed', resolve));
    client.send('127.0.0.1', (net.address() as { port: number }).port, 'WIRE', 'SPEC');
    try {
      assert.ok(connectedSocketOf(client) instanceof Socket, internal('Client.network.socket (no socket right after send())', 'library-fields.ts (connectedSocketOf)'));
      const network = (client as unknown as { network: NodeJS.EventEmitter }).network;
      for (const event of ['associationAccepted', 'done']) {
        assert.ok(network.listenerCount(event) > 0, internal(`the Client's '${event}' listener on its Network`, 'library-fields.ts (driveClientNetwork)'));
      }
      await closed;
      assert.deepEqual(EchoScp.seen, { association: true }, internal('Network.association (not the negotiated association)', 'dataset-encoding.ts (PduGuard)'));
    } finally {
      server.close();
      await new Promise((resolve) => net.close(resolve));
    }
  });
});
