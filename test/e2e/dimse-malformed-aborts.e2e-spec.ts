// Peers whose DIMSE messages cannot be answered with a status: PDVs on contexts never accepted or
// out of order, command sets without what an answer needs, PDUs out of place. Each gets an A-ABORT
// with the source and reason of PS3.8 9.3.8 before the connection closes, and a new association
// still stores. Also the PDU details a peer may rely on: reserved bits of the message control
// header, and silence after A-RELEASE-RQ.
// Hand-built PDUs: no DICOM tool sends these (test/support/dimse-requests.ts).
// The messages answered with a failure status are in dimse-malformed-statuses.e2e-spec.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInstance, CT_IMAGE_STORAGE, newUid, TransferSyntax } from '../support/generator';
import { associateRq, commandSet, CommandField, datasetOf, expectAbort, nextCommand, pData, pdv, pDataTf, rawConnect } from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';
import {
  ask,
  commitmentRequest,
  CONTEXTS,
  Ctx,
  DATA_SET,
  echoCommand,
  hex,
  NO_DATA_SET,
  openAssociation,
  Status,
  stillStores,
  STORAGE_COMMITMENT,
  STORAGE_COMMITMENT_INSTANCE,
  VERIFICATION,
} from '../support/dimse-requests';

// A-ABORT sources and reasons, PS3.8 9.3.8 Table 9-26.
const SERVICE_USER = 0;
const SERVICE_PROVIDER = 2;
const NOT_SPECIFIED = 0;
const UNRECOGNIZED_PDU = 1;
const UNEXPECTED_PDU = 2;
const UNEXPECTED_PDU_PARAMETER = 5;
const INVALID_PDU_PARAMETER_VALUE = 6;

describe('DIMSE: malformed and unexpected messages answered with an A-ABORT', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-dimse-malformed-'));

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  const associateRqBytes = () => associateRq('TESTSCU', server.aeTitle, CONTEXTS);

  it('aborts an association whose PDV names a presentation context never proposed, or one it rejected (source 2, reason 6)', async () => {
    for (const contextId of [Ctx.Unknown, 21]) {
      const peer = await openAssociation(server);
      peer.socket.write(pDataTf(echoCommand(51), true, true, contextId));
      await expectAbort(peer, SERVICE_PROVIDER, INVALID_PDU_PARAMETER_VALUE);
    }
    assert.ok(await waitForLog(server, /association aborted: .*presentation context 21.*"callingAe":"TESTSCU"/), 'a log line names the context');
    await stillStores(server, dir);
  });

  it('aborts PDVs out of order: a data set before its command, a command where a data set was announced, a message that changes context (source 2, reason 5)', async () => {
    const instance = buildInstance({ transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const store = commandSet({ 0x0002: CT_IMAGE_STORAGE, 0x0100: CommandField.CStore, 0x0110: 61, 0x0700: 0, 0x0800: DATA_SET, 0x1000: instance.sopInstanceUid });
    const sequences = [
      [pDataTf(datasetOf(instance.bytes), false, true, Ctx.Ct)],
      [pDataTf(store, true, true, Ctx.Ct), pDataTf(echoCommand(62), true, true, Ctx.Echo)],
      [pDataTf(store, true, true, Ctx.Ct), pDataTf(datasetOf(instance.bytes), false, true, Ctx.Find)],
      [pDataTf(store.subarray(0, 20), true, false, Ctx.Ct), pDataTf(store.subarray(20), true, true, Ctx.Echo)],
    ];
    for (const pdus of sequences) {
      const peer = await openAssociation(server);
      for (const pdu of pdus) peer.socket.write(pdu);
      await expectAbort(peer, SERVICE_PROVIDER, UNEXPECTED_PDU_PARAMETER);
    }
    await stillStores(server, dir);
  });

  it('aborts a PDV whose length does not fit its P-DATA-TF (source 2, reason 6)', async () => {
    const peer = await openAssociation(server);
    const item = pdv(echoCommand(71), 0x03, Ctx.Echo);
    item.writeUInt32BE(item.length + 100, 0);
    peer.socket.write(pData(item));
    await expectAbort(peer, SERVICE_PROVIDER, INVALID_PDU_PARAMETER_VALUE);
    await stillStores(server, dir);
  });

  it('aborts a command set it cannot answer: unreadable, without Message ID, a C-CANCEL naming no request (source 0)', async () => {
    const noMessageId = commandSet({ 0x0002: VERIFICATION, 0x0100: CommandField.CEcho, 0x0800: NO_DATA_SET });
    const unreadable = Buffer.from('this is not a command set at all');
    const cancelOfNothing = commandSet({ 0x0100: CommandField.CCancel, 0x0800: NO_DATA_SET });
    for (const command of [noMessageId, unreadable, cancelOfNothing]) {
      const peer = await openAssociation(server);
      peer.socket.write(pDataTf(command, true, true, Ctx.Echo));
      await expectAbort(peer, SERVICE_USER, NOT_SPECIFIED);
    }
    assert.ok(await waitForLog(server, /association aborted: .*Message ID \(0000,0110\)/), 'a log line names the missing element');
    await stillStores(server, dir);
  });

  it('aborts a Storage Commitment report response it cannot use: N-EVENT-REPORT-RSP without Message ID Being Responded To, or without Status (source 0)', async () => {
    const responses: ((messageId: number) => Buffer)[] = [
      () => commandSet({ 0x0002: STORAGE_COMMITMENT, 0x0100: 0x8100, 0x0800: NO_DATA_SET, 0x0900: 0, 0x1000: STORAGE_COMMITMENT_INSTANCE, 0x1002: 1 }),
      (messageId) => commandSet({ 0x0002: STORAGE_COMMITMENT, 0x0100: 0x8100, 0x0120: messageId, 0x0800: NO_DATA_SET, 0x1000: STORAGE_COMMITMENT_INSTANCE, 0x1002: 1 }),
    ];
    for (const response of responses) {
      const peer = await openAssociation(server);
      const action = { 0x0003: STORAGE_COMMITMENT, 0x0100: CommandField.NAction, 0x0110: 85, 0x0800: DATA_SET, 0x1001: STORAGE_COMMITMENT_INSTANCE, 0x1008: 1 };
      assert.equal(hex((await ask(peer, Ctx.Commitment, action, commitmentRequest(newUid()))).status), hex(Status.Success), 'N-ACTION-RSP');
      const report = await nextCommand(peer);
      assert.equal(report.field, CommandField.NEventReport, 'the result comes on this association');
      peer.socket.write(pDataTf(response(report.elements.get(0x0110)!.readUInt16LE(0)), true, true, Ctx.Commitment));
      await expectAbort(peer, SERVICE_USER, NOT_SPECIFIED);
    }
    assert.ok(await waitForLog(server, /association aborted: .*N-EVENT-REPORT-RSP without Status \(0000,0900\)/));
  });

  it('aborts PDUs out of place: an unknown PDU type (source 2, reason 1), a second A-ASSOCIATE-RQ or an A-ASSOCIATE-AC sent to the acceptor (source 2, reason 2)', async () => {
    const unknownType = Buffer.from([0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    const acceptAc = Buffer.from(associateRqBytes());
    acceptAc[0] = 0x02;
    const cases: [Buffer, number][] = [
      [unknownType, UNRECOGNIZED_PDU],
      [associateRqBytes(), UNEXPECTED_PDU],
      [acceptAc, UNEXPECTED_PDU],
    ];
    for (const [pdu, reason] of cases) {
      const peer = await openAssociation(server);
      peer.socket.write(pdu);
      await expectAbort(peer, SERVICE_PROVIDER, reason);
    }
    const before = await rawConnect(server.dimsePort);
    before.socket.write(unknownType);
    await expectAbort(before, SERVICE_PROVIDER, UNRECOGNIZED_PDU);
    await stillStores(server, dir);
  });

  it('aborts a P-DATA-TF sent before any association was requested (PS3.8 AA-1: source 0)', async () => {
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(pDataTf(echoCommand(81), true, true, Ctx.Echo));
    await expectAbort(peer, SERVICE_USER, NOT_SPECIFIED);
    await stillStores(server, dir);
  });

  it('reads only the two defined bits of the message control header (PS3.8 E.2): a C-ECHO with the other bits set is answered', async () => {
    const peer = await openAssociation(server);
    peer.socket.write(pData(pdv(echoCommand(91), 0xff, Ctx.Echo)));
    const echo = await nextCommand(peer);
    assert.equal(hex(echo.status), hex(Status.Success));
    peer.socket.destroy();
  });

  it('answers nothing more once the peer asked to release: a P-DATA-TF after A-RELEASE-RQ is ignored (PS3.8 Sta13)', async () => {
    const peer = await openAssociation(server);
    peer.socket.write(Buffer.concat([Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]), pDataTf(echoCommand(101), true, true, Ctx.Echo)]));
    assert.equal((await peer.nextPdu()).type, 0x06, 'A-RELEASE-RP');
    await assert.rejects(peer.nextPdu(500), /no PDU within/);
    peer.socket.destroy();
  });
});
