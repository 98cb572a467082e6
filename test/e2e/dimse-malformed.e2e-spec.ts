// Peers that send DIMSE messages the standard does not allow: command sets missing what their
// command requires, commands we do not serve, services on the wrong presentation context, PDVs on
// contexts never accepted or out of order. Each request gets a failure status naming what is
// wrong (and the association goes on), or, where no answer is possible, an A-ABORT with the
// source and reason of PS3.8 9.3.8 before the connection closes; the next instance still stores.
// Hand-built PDUs: no DICOM tool sends these.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storescu } from '../support/dcmtk';
import { buildInstance, CT_IMAGE_STORAGE, newUid, TransferSyntax, writeInstance } from '../support/generator';
import { http } from '../support/http';
import {
  associate,
  associateRq,
  commandSet,
  CommandField,
  datasetOf,
  expectAbort,
  nextCommand,
  pData,
  pdv,
  pDataTf,
  ProposedContext,
  rawConnect,
  RawPeer,
  ReceivedCommand,
} from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';

const VERIFICATION = '1.2.840.10008.1.1';
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const STORAGE_COMMITMENT = '1.2.840.10008.1.20.1';
const STORAGE_COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

/** Context ids of the association most tests open: one per service, and one we do not serve. */
const Ctx = { Echo: 1, Ct: 3, Find: 5, Move: 7, Get: 9, Mpps: 11, Commitment: 13, Unknown: 15 } as const;
const CONTEXTS: ProposedContext[] = [
  { id: Ctx.Echo, abstractSyntax: VERIFICATION },
  { id: Ctx.Ct, abstractSyntax: CT_IMAGE_STORAGE },
  { id: Ctx.Find, abstractSyntax: STUDY_ROOT_FIND },
  { id: Ctx.Move, abstractSyntax: STUDY_ROOT_MOVE },
  { id: Ctx.Get, abstractSyntax: STUDY_ROOT_GET },
  { id: Ctx.Mpps, abstractSyntax: MPPS },
  { id: Ctx.Commitment, abstractSyntax: STORAGE_COMMITMENT },
  { id: Ctx.Unknown, abstractSyntax: '1.2.826.0.1.3680043.10.543.77' },
];

const NO_DATA_SET = 0x0101;
const DATA_SET = 0x0000;
const Status = { Success: 0x0000, MistypedArgument: 0x0212, UnrecognizedOperation: 0x0211, SopClassNotSupported: 0x0122, NoSuchSopClass: 0x0118, CannotUnderstand: 0xc000 };

/** (0008,0052) Query/Retrieve Level "STUDY", implicit VR little endian: a minimal identifier. */
const STUDY_IDENTIFIER = Buffer.concat([Buffer.from([0x08, 0x00, 0x52, 0x00, 0x06, 0x00, 0x00, 0x00]), Buffer.from('STUDY ')]);

/** A data set element in implicit VR little endian (PS3.5 7.1.3); a string value is a UID, padded with NUL. */
function element(group: number, elementNumber: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1') : value;
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.writeUInt32LE(bytes.length, 4);
  return Buffer.concat([header, bytes]);
}

/** A Storage Commitment request (PS3.4 J.3.2.1.1): Transaction UID and one Referenced SOP Sequence item. */
function commitmentRequest(sopInstanceUid: string): Buffer {
  const item = Buffer.concat([element(0x0008, 0x1150, CT_IMAGE_STORAGE), element(0x0008, 0x1155, sopInstanceUid)]);
  return Buffer.concat([element(0x0008, 0x1195, newUid()), element(0x0008, 0x1199, element(0xfffe, 0xe000, item))]);
}

/** Sends one message (command, then the data set if any) on a context and reads the response command set. */
async function ask(peer: RawPeer, contextId: number, command: Record<number, number | string>, dataset?: Buffer): Promise<ReceivedCommand> {
  peer.socket.write(pDataTf(commandSet(command), true, true, contextId));
  if (dataset) peer.socket.write(pDataTf(dataset, false, true, contextId));
  return nextCommand(peer);
}

const hex = (n: number | undefined) => `0x${(n ?? -1).toString(16).padStart(4, '0')}`;

describe('DIMSE: malformed and unexpected messages', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-dimse-malformed-'));

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const studiesOf = async (patientId: string) => (await http(`${server.httpUrl}/dicomweb/studies?PatientID=${patientId}`, { token })).json<unknown[]>();

  /** A C-STORE of a new CT instance for `patientId` on the CT context: the association still stores. */
  async function storeOn(peer: RawPeer, patientId: string, messageId: number): Promise<ReceivedCommand> {
    const instance = buildInstance({ patientId, transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const command = { 0x0002: CT_IMAGE_STORAGE, 0x0100: CommandField.CStore, 0x0110: messageId, 0x0700: 0, 0x0800: DATA_SET, 0x1000: instance.sopInstanceUid };
    return ask(peer, Ctx.Ct, command, datasetOf(instance.bytes));
  }

  /** After an abort: a new association (DCMTK storescu) still stores an instance. */
  async function stillStores(): Promise<void> {
    const file = join(dir, `${newUid()}.dcm`);
    writeInstance(file, { patientId: 'MALFORMED-AFTER' });
    const res = await storescu(server.dimsePort, [file]);
    assert.deepEqual(res.statuses, ['0x0000'], res.stdout + res.stderr);
  }

  async function openAssociation(): Promise<RawPeer> {
    const { peer, results } = await associate(server.dimsePort, server.aeTitle, CONTEXTS);
    for (const { id } of CONTEXTS) assert.equal(results.get(id), id === Ctx.Unknown ? 3 : 0, `result of context ${id}`);
    return peer;
  }

  it('answers a C-STORE without Affected SOP Instance UID with 0xC000 naming the element, stores nothing, and the association then stores', async () => {
    const peer = await openAssociation();
    const instance = buildInstance({ patientId: 'MALFORMED-NO-IUID', transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const command = { 0x0002: CT_IMAGE_STORAGE, 0x0100: CommandField.CStore, 0x0110: 1, 0x0700: 0, 0x0800: DATA_SET };
    const refused = await ask(peer, Ctx.Ct, command, datasetOf(instance.bytes));
    assert.equal(refused.field, 0x8001, 'C-STORE-RSP');
    assert.equal(refused.messageIdBeingRespondedTo, 1);
    assert.equal(hex(refused.status), hex(Status.CannotUnderstand));
    assert.match(refused.errorComment ?? '', /Affected SOP Instance UID \(0000,1000\)/);
    assert.equal(hex((await storeOn(peer, 'MALFORMED-KEPT', 2)).status), hex(Status.Success));
    peer.socket.destroy();
    assert.equal((await studiesOf('MALFORMED-NO-IUID')).length, 0, 'the refused instance is not archived');
    assert.equal((await studiesOf('MALFORMED-KEPT')).length, 1);
    assert.ok(await waitForLog(server, /C-STORE-RQ refused.*"status":"0xC000"/), 'a log line names the refusal');
  });

  it('answers each request that lacks an element its command requires with a failure naming it, and keeps the association', async () => {
    const peer = await openAssociation();
    const cases: { name: string; ctx: number; command: Record<number, number | string>; dataset?: Buffer; status: number; comment: RegExp }[] = [
      { name: 'C-ECHO', ctx: Ctx.Echo, command: { 0x0100: CommandField.CEcho, 0x0110: 11, 0x0800: NO_DATA_SET }, status: Status.MistypedArgument, comment: /Affected SOP Class UID \(0000,0002\)/ },
      {
        name: 'C-STORE',
        ctx: Ctx.Ct,
        command: { 0x0100: CommandField.CStore, 0x0110: 12, 0x0700: 0, 0x0800: DATA_SET, 0x1000: newUid() },
        dataset: datasetOf(buildInstance({ transferSyntaxUid: TransferSyntax.ImplicitLittleEndian }).bytes),
        status: Status.CannotUnderstand,
        comment: /Affected SOP Class UID \(0000,0002\)/,
      },
      { name: 'C-FIND', ctx: Ctx.Find, command: { 0x0002: STUDY_ROOT_FIND, 0x0100: CommandField.CFind, 0x0110: 13, 0x0700: 0, 0x0800: NO_DATA_SET }, status: Status.CannotUnderstand, comment: /no identifier/ },
      {
        name: 'C-MOVE',
        ctx: Ctx.Move,
        command: { 0x0002: STUDY_ROOT_MOVE, 0x0100: CommandField.CMove, 0x0110: 14, 0x0700: 0, 0x0800: DATA_SET },
        dataset: STUDY_IDENTIFIER,
        status: Status.CannotUnderstand,
        comment: /Move Destination \(0000,0600\)/,
      },
      { name: 'C-GET', ctx: Ctx.Get, command: { 0x0100: CommandField.CGet, 0x0110: 15, 0x0700: 0, 0x0800: DATA_SET }, dataset: STUDY_IDENTIFIER, status: Status.CannotUnderstand, comment: /Affected SOP Class UID \(0000,0002\)/ },
      { name: 'N-CREATE', ctx: Ctx.Mpps, command: { 0x0100: CommandField.NCreate, 0x0110: 16, 0x0800: NO_DATA_SET, 0x1000: newUid() }, status: Status.MistypedArgument, comment: /Affected SOP Class UID \(0000,0002\)/ },
      {
        name: 'N-SET',
        ctx: Ctx.Mpps,
        command: { 0x0003: MPPS, 0x0100: CommandField.NSet, 0x0110: 17, 0x0800: DATA_SET },
        dataset: STUDY_IDENTIFIER,
        status: Status.MistypedArgument,
        comment: /Requested SOP Instance UID \(0000,1001\)/,
      },
      {
        name: 'N-ACTION',
        ctx: Ctx.Commitment,
        command: { 0x0003: STORAGE_COMMITMENT, 0x0100: CommandField.NAction, 0x0110: 18, 0x0800: DATA_SET, 0x1001: STORAGE_COMMITMENT_INSTANCE },
        dataset: STUDY_IDENTIFIER,
        status: Status.MistypedArgument,
        comment: /Action Type ID \(0000,1008\)/,
      },
    ];
    for (const c of cases) {
      const response = await ask(peer, c.ctx, c.command, c.dataset);
      assert.equal(response.field, (c.command[0x0100] as number) | 0x8000, `${c.name}: response command field`);
      assert.equal(hex(response.status), hex(c.status), `${c.name}: status`);
      assert.match(response.errorComment ?? '', c.comment, `${c.name}: error comment`);
      const echo = await ask(peer, Ctx.Echo, { 0x0002: VERIFICATION, 0x0100: CommandField.CEcho, 0x0110: 100, 0x0800: NO_DATA_SET });
      assert.equal(hex(echo.status), hex(Status.Success), `${c.name}: the association goes on`);
    }
    assert.equal(hex((await storeOn(peer, 'MALFORMED-AFTER-MISSING', 19)).status), hex(Status.Success));
    peer.socket.destroy();
  });

  it('answers commands it does not serve (N-GET, N-DELETE, N-EVENT-REPORT, an unknown command field) with 0x0211 Unrecognized operation', async () => {
    const peer = await openAssociation();
    const mppsInstance = newUid();
    const cases: { name: string; ctx: number; command: Record<number, number | string> }[] = [
      { name: 'N-GET', ctx: Ctx.Mpps, command: { 0x0003: MPPS, 0x0100: CommandField.NGet, 0x0110: 21, 0x0800: NO_DATA_SET, 0x1001: mppsInstance } },
      { name: 'N-DELETE', ctx: Ctx.Mpps, command: { 0x0003: MPPS, 0x0100: CommandField.NDelete, 0x0110: 22, 0x0800: NO_DATA_SET, 0x1001: mppsInstance } },
      { name: 'N-EVENT-REPORT', ctx: Ctx.Commitment, command: { 0x0002: STORAGE_COMMITMENT, 0x0100: CommandField.NEventReport, 0x0110: 23, 0x0800: NO_DATA_SET, 0x1000: STORAGE_COMMITMENT_INSTANCE, 0x1002: 1 } },
      { name: 'command field 0x0055', ctx: Ctx.Echo, command: { 0x0002: VERIFICATION, 0x0100: 0x0055, 0x0110: 24, 0x0800: NO_DATA_SET } },
    ];
    for (const c of cases) {
      const response = await ask(peer, c.ctx, c.command);
      assert.equal(response.field, (c.command[0x0100] as number) | 0x8000, `${c.name}: response command field`);
      assert.equal(response.messageIdBeingRespondedTo, c.command[0x0110], `${c.name}: message id`);
      assert.equal(hex(response.status), hex(Status.UnrecognizedOperation), `${c.name}: status`);
    }
    assert.equal(hex((await storeOn(peer, 'MALFORMED-AFTER-0211', 25)).status), hex(Status.Success));
    peer.socket.destroy();
  });

  it('refuses a C-STORE sent on the Verification presentation context (0x0211) and stores nothing', async () => {
    const peer = await openAssociation();
    const instance = buildInstance({ patientId: 'MALFORMED-ON-ECHO', transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const command = { 0x0002: CT_IMAGE_STORAGE, 0x0100: CommandField.CStore, 0x0110: 31, 0x0700: 0, 0x0800: DATA_SET, 0x1000: instance.sopInstanceUid };
    const refused = await ask(peer, Ctx.Echo, command, datasetOf(instance.bytes));
    assert.equal(hex(refused.status), hex(Status.UnrecognizedOperation));
    assert.match(refused.errorComment ?? '', /C-STORE/);
    assert.equal(hex((await storeOn(peer, 'MALFORMED-AFTER-ECHO', 32)).status), hex(Status.Success));
    peer.socket.destroy();
    assert.equal((await studiesOf('MALFORMED-ON-ECHO')).length, 0, 'the instance sent on the Verification context is not archived');
  });

  it('refuses a request whose SOP class is not the abstract syntax of its presentation context', async () => {
    const peer = await openAssociation();
    const mr = buildInstance({ patientId: 'MALFORMED-MR-ON-CT', sopClassUid: MR_IMAGE_STORAGE, modality: 'MR', transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const store = { 0x0002: MR_IMAGE_STORAGE, 0x0100: CommandField.CStore, 0x0110: 41, 0x0700: 0, 0x0800: DATA_SET, 0x1000: mr.sopInstanceUid };
    const mrOnCt = await ask(peer, Ctx.Ct, store, datasetOf(mr.bytes));
    assert.equal(hex(mrOnCt.status), hex(Status.SopClassNotSupported));
    const create = { 0x0002: STORAGE_COMMITMENT, 0x0100: CommandField.NCreate, 0x0110: 42, 0x0800: NO_DATA_SET, 0x1000: newUid() };
    assert.equal(hex((await ask(peer, Ctx.Mpps, create)).status), hex(Status.NoSuchSopClass));
    const findOnCt = await ask(peer, Ctx.Ct, { 0x0002: CT_IMAGE_STORAGE, 0x0100: CommandField.CFind, 0x0110: 43, 0x0700: 0, 0x0800: DATA_SET }, STUDY_IDENTIFIER);
    assert.equal(hex(findOnCt.status), hex(Status.UnrecognizedOperation));
    assert.equal(hex((await storeOn(peer, 'MALFORMED-AFTER-MISMATCH', 44)).status), hex(Status.Success));
    peer.socket.destroy();
    assert.equal((await studiesOf('MALFORMED-MR-ON-CT')).length, 0);
  });

  // A-ABORT sources and reasons, PS3.8 9.3.8 Table 9-26.
  const SERVICE_USER = 0;
  const SERVICE_PROVIDER = 2;
  const NOT_SPECIFIED = 0;
  const UNRECOGNIZED_PDU = 1;
  const UNEXPECTED_PDU = 2;
  const associateRqBytes = () => associateRq('TESTSCU', server.aeTitle, CONTEXTS);
  const UNEXPECTED_PDU_PARAMETER = 5;
  const INVALID_PDU_PARAMETER_VALUE = 6;
  const echoCommand = (messageId: number) => commandSet({ 0x0002: VERIFICATION, 0x0100: CommandField.CEcho, 0x0110: messageId, 0x0800: NO_DATA_SET });

  it('aborts an association whose PDV names a presentation context never proposed, or one it rejected (source 2, reason 6)', async () => {
    for (const contextId of [Ctx.Unknown, 21]) {
      const peer = await openAssociation();
      peer.socket.write(pDataTf(echoCommand(51), true, true, contextId));
      await expectAbort(peer, SERVICE_PROVIDER, INVALID_PDU_PARAMETER_VALUE);
    }
    assert.ok(await waitForLog(server, /association aborted: .*presentation context 21.*"callingAe":"TESTSCU"/), 'a log line names the context');
    await stillStores();
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
      const peer = await openAssociation();
      for (const pdu of pdus) peer.socket.write(pdu);
      await expectAbort(peer, SERVICE_PROVIDER, UNEXPECTED_PDU_PARAMETER);
    }
    await stillStores();
  });

  it('aborts a PDV whose length does not fit its P-DATA-TF (source 2, reason 6)', async () => {
    const peer = await openAssociation();
    const item = pdv(echoCommand(71), 0x03, Ctx.Echo);
    item.writeUInt32BE(item.length + 100, 0);
    peer.socket.write(pData(item));
    await expectAbort(peer, SERVICE_PROVIDER, INVALID_PDU_PARAMETER_VALUE);
    await stillStores();
  });

  it('aborts a command set it cannot answer: unreadable, without Message ID, a C-CANCEL naming no request (source 0)', async () => {
    const noMessageId = commandSet({ 0x0002: VERIFICATION, 0x0100: CommandField.CEcho, 0x0800: NO_DATA_SET });
    const unreadable = Buffer.from('this is not a command set at all');
    const cancelOfNothing = commandSet({ 0x0100: CommandField.CCancel, 0x0800: NO_DATA_SET });
    for (const command of [noMessageId, unreadable, cancelOfNothing]) {
      const peer = await openAssociation();
      peer.socket.write(pDataTf(command, true, true, Ctx.Echo));
      await expectAbort(peer, SERVICE_USER, NOT_SPECIFIED);
    }
    assert.ok(await waitForLog(server, /association aborted: .*Message ID \(0000,0110\)/), 'a log line names the missing element');
    await stillStores();
  });

  it('aborts a Storage Commitment report response it cannot use: N-EVENT-REPORT-RSP without Message ID Being Responded To, or without Status (source 0)', async () => {
    const responses: ((messageId: number) => Buffer)[] = [
      () => commandSet({ 0x0002: STORAGE_COMMITMENT, 0x0100: 0x8100, 0x0800: NO_DATA_SET, 0x0900: 0, 0x1000: STORAGE_COMMITMENT_INSTANCE, 0x1002: 1 }),
      (messageId) => commandSet({ 0x0002: STORAGE_COMMITMENT, 0x0100: 0x8100, 0x0120: messageId, 0x0800: NO_DATA_SET, 0x1000: STORAGE_COMMITMENT_INSTANCE, 0x1002: 1 }),
    ];
    for (const response of responses) {
      const peer = await openAssociation();
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
      const peer = await openAssociation();
      peer.socket.write(pdu);
      await expectAbort(peer, SERVICE_PROVIDER, reason);
    }
    const before = await rawConnect(server.dimsePort);
    before.socket.write(unknownType);
    await expectAbort(before, SERVICE_PROVIDER, UNRECOGNIZED_PDU);
    await stillStores();
  });

  it('aborts a P-DATA-TF sent before any association was requested (PS3.8 AA-1: source 0)', async () => {
    const peer = await rawConnect(server.dimsePort);
    peer.socket.write(pDataTf(echoCommand(81), true, true, Ctx.Echo));
    await expectAbort(peer, SERVICE_USER, NOT_SPECIFIED);
    await stillStores();
  });

  it('reads only the two defined bits of the message control header (PS3.8 E.2): a C-ECHO with the other bits set is answered', async () => {
    const peer = await openAssociation();
    peer.socket.write(pData(pdv(echoCommand(91), 0xff, Ctx.Echo)));
    const echo = await nextCommand(peer);
    assert.equal(hex(echo.status), hex(Status.Success));
    peer.socket.destroy();
  });

  it('answers nothing more once the peer asked to release: a P-DATA-TF after A-RELEASE-RQ is ignored (PS3.8 Sta13)', async () => {
    const peer = await openAssociation();
    peer.socket.write(Buffer.concat([Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]), pDataTf(echoCommand(101), true, true, Ctx.Echo)]));
    assert.equal((await peer.nextPdu()).type, 0x06, 'A-RELEASE-RP');
    await assert.rejects(peer.nextPdu(500), /no PDU within/);
    peer.socket.destroy();
  });
});
