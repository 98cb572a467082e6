// Connections that never become (or stop being) an association: ARTIM (PS3.8 9.1.5) closes
// them, and PACS_DIMSE_MAX_CONNECTIONS bounds how many can be held at once. Each case gets a log
// line and the server keeps serving (hand-built PDUs and bare sockets: no DICOM tool idles).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { echoscu } from '../support/dcmtk';
import { http } from '../support/http';
import { associateRq, pduHeader, rawConnect, RawPeer } from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';

const ARTIM_MS = 1500;
const MAX_CONNECTIONS = 3;
const SCRAPE_TOKEN = 'scrape-token-0123456789';

/** How long until the server closed `peer`, in ms; fails once `limitMs` have passed without. */
async function closedWithin(peer: RawPeer, since: number, limitMs = ARTIM_MS + 1000): Promise<number> {
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs - (Date.now() - since)).unref());
  await Promise.race([peer.closed, timer]);
  return Date.now() - since;
}

describe('DIMSE: connections without an association', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: {
        PACS_DIMSE_ASSOCIATION_TIMEOUT_MS: String(ARTIM_MS),
        PACS_DIMSE_MAX_ASSOCIATIONS: '2',
        PACS_DIMSE_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        PACS_METRICS_TOKEN: SCRAPE_TOKEN,
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  it('closes a connection that sends no A-ASSOCIATE-RQ within ARTIM, and keeps serving', async () => {
    const started = Date.now();
    const peer = await rawConnect(server.dimsePort);
    const ms = await closedWithin(peer, started);
    assert.ok(ms >= ARTIM_MS - 100, `closed after ${ms} ms, before ARTIM ran out`);
    assert.ok(await waitForLog(server, /connection closed: no A-ASSOCIATE-RQ within 1500 ms \(ARTIM\)/));
    assert.equal((await echoscu(server.dimsePort)).code, 0);
  });

  it('closes a connection whose A-ASSOCIATE-RQ stops half-way (a PDU never completed)', async () => {
    const started = Date.now();
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(associateRq('TESTSCU', server.aeTitle).subarray(0, 40));
    await closedWithin(peer, started);
  });

  it('closes the connection after an A-ASSOCIATE-RJ when the peer does not', async () => {
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(associateRq('NOBODY', server.aeTitle));
    const answer = await peer.received(10);
    assert.equal(answer[0], 0x03, 'A-ASSOCIATE-RJ');
    await closedWithin(peer, Date.now());
    assert.ok(await waitForLog(server, /connection closed: not closed by the peer after A-ASSOCIATE-RJ within 1500 ms \(ARTIM\)/));
  });

  it('closes the connection after an A-RELEASE-RP when the peer does not', async () => {
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(associateRq('TESTSCU', server.aeTitle));
    const accept = await peer.received(6);
    assert.equal(accept[0], 0x02, 'A-ASSOCIATE-AC');
    const acLength = 6 + accept.readUInt32BE(2);
    peer.socket.write(Buffer.concat([pduHeader(0x05, 4), Buffer.alloc(4)])); // A-RELEASE-RQ, PS3.8 9.3.6
    const answer = await peer.received(acLength + 10);
    assert.equal(answer[acLength], 0x06, 'A-RELEASE-RP');
    await closedWithin(peer, Date.now());
    assert.ok(await waitForLog(server, /not closed by the peer after A-RELEASE-RP/));
  });

  it('refuses connections beyond PACS_DIMSE_MAX_CONNECTIONS at once, and serves again once they go', async () => {
    const idle = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => rawConnect(server.dimsePort)));
    try {
      const started = Date.now();
      const extra = await rawConnect(server.dimsePort);
      await closedWithin(extra, started, ARTIM_MS / 2);
      assert.ok(await waitForLog(server, /connection refused: 3 connections open on port \d+ \(PACS_DIMSE_MAX_CONNECTIONS\)/));
    } finally {
      for (const peer of idle) peer.socket.destroy();
      await Promise.all(idle.map((peer) => peer.closed));
    }
    assert.equal((await echoscu(server.dimsePort)).code, 0);
  });

  it('counts the connections ARTIM closed and those refused over the cap in /metrics', async () => {
    const res = await http(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    const text = res.body.toString('utf8');
    assert.match(text, /^pacs_dimse_artim_closed_total{node="[^"]+"} 4$/m, 'the four cases above');
    assert.match(text, /^pacs_dimse_connections_refused_total{node="[^"]+"} 1$/m);
  });
});
