// Peers that send more than DICOM allows, or more than we can hold: a PDU longer than the
// Maximum Length we announced (PS3.8 D.1), a message that never ends. Each gets an A-ABORT as
// soon as it is recognised, a log line, and the server keeps serving (hand-built PDUs: no DICOM
// tool sends these).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { echoscu } from '../support/dcmtk';
import { associate, associateRq, cFindRq, pDataTf, pduHeader, rawConnect } from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';

describe('DIMSE: PDU and message size limits', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  // A-ABORT, source 2 (service provider), reason 6 (invalid PDU parameter value): PS3.8 9.3.8.
  const ABORT_INVALID_PDU_PARAMETER = [0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x06];

  it('aborts a connection whose PDU declares gigabytes, before buffering it, and keeps serving', async () => {
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(Buffer.concat([pduHeader(0x01, 0x7fff_fff0), Buffer.alloc(64 * 1024)]));
    const answer = await peer.received(10);
    assert.deepEqual([...answer], ABORT_INVALID_PDU_PARAMETER);
    await peer.closed;
    const logged = /association aborted: too much data.*declares 2147483638 bytes, more than the 262150 accepted/;
    assert.ok(await waitForLog(server, logged), 'a log line names the PDU and the limit');
    const echo = await echoscu(server.dimsePort);
    assert.equal(echo.code, 0, echo.stderr);
  });

  it('aborts an association whose P-DATA-TF exceeds the Maximum Length we announced (PS3.8 D.1)', async () => {
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(associateRq('TESTSCU', server.aeTitle));
    const accept = await peer.received(6);
    assert.equal(accept[0], 0x02, 'A-ASSOCIATE-AC');
    const acLength = 6 + accept.readUInt32BE(2);
    peer.socket.write(pduHeader(0x04, 262_144 + 1));
    const answer = await peer.received(acLength + 10);
    assert.deepEqual([...answer.subarray(acLength, acLength + 10)], ABORT_INVALID_PDU_PARAMETER);
    await peer.closed;
    const logged = /association aborted: too much data.*a PDU of type 0x04 declares 262151 bytes, more than the 262150 accepted.*"callingAe":"TESTSCU"/;
    assert.ok(await waitForLog(server, logged), 'a log line names the PDU, the limit and the calling AE');
  });

  it('aborts a C-FIND whose identifier grows past 16 MiB instead of gathering it in memory', async () => {
    const studyRootFind = '1.2.840.10008.5.1.4.1.2.2.1';
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(associateRq('TESTSCU', server.aeTitle, studyRootFind));
    const accept = await peer.received(6);
    assert.equal(accept[0], 0x02, 'A-ASSOCIATE-AC');
    const acLength = 6 + accept.readUInt32BE(2);
    peer.socket.write(pDataTf(cFindRq(studyRootFind), true, true));
    const fragment = Buffer.alloc(256 * 1024 - 6);
    for (let i = 0; i < 70 && !peer.socket.destroyed; i++) peer.socket.write(pDataTf(fragment, false, false));
    const answer = await peer.received(acLength + 10);
    assert.deepEqual([...answer.subarray(acLength, acLength + 10)], ABORT_INVALID_PDU_PARAMETER);
    await peer.closed;
    const logged = /association aborted: too much data.*a data set of more than 16777216 bytes with command 0x0020/;
    assert.ok(await waitForLog(server, logged), 'a log line names the message and the limit');
    assert.equal((await echoscu(server.dimsePort)).code, 0);
  });
});

describe('DIMSE: an aborted association gives its place back', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { PACS_DIMSE_MAX_ASSOCIATIONS: '1' } });
  });
  after(async () => {
    await server?.stop();
  });

  it('accepts the next association as soon as a peer still sending when we aborted hangs up, not a second later', async () => {
    const verification = [{ id: 1, abstractSyntax: '1.2.840.10008.1.1' }];
    for (let round = 0; round < 5; round++) {
      const { peer } = await associate(server.dimsePort, server.aeTitle, verification);
      peer.socket.write(pduHeader(0x04, 0)); // a P-DATA-TF without PDVs: aborted (PS3.8 9.3.5)
      assert.equal((await peer.nextPdu()).type, 0x07, 'A-ABORT');
      // what a peer had on its way when the A-ABORT came (here an A-RELEASE-RQ), then it hangs up
      peer.socket.end(Buffer.concat([pduHeader(0x05, 4), Buffer.alloc(4)]));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { peer } = await associate(server.dimsePort, server.aeTitle, verification);
    peer.socket.destroy();
  });
});
