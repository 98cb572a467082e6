// Peers that send DIMSE messages the standard does not allow, each answered with a failure status
// naming what is wrong while the association goes on: command sets missing what their command
// requires, commands we do not serve, services on the wrong presentation context. After each, the
// same association still stores; what was refused is not archived.
// Hand-built PDUs: no DICOM tool sends these (test/support/dimse-requests.ts).
// The messages that can only be answered with an A-ABORT are in dimse-malformed-aborts.e2e-spec.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildInstance, CT_IMAGE_STORAGE, newUid, TransferSyntax } from '../support/generator';
import { http } from '../support/http';
import { CommandField, datasetOf } from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';
import {
  ask,
  Ctx,
  DATA_SET,
  hex,
  MPPS,
  MR_IMAGE_STORAGE,
  NO_DATA_SET,
  openAssociation,
  Status,
  STORAGE_COMMITMENT,
  STORAGE_COMMITMENT_INSTANCE,
  storeOn,
  STUDY_IDENTIFIER,
  STUDY_ROOT_FIND,
  STUDY_ROOT_MOVE,
  VERIFICATION,
} from '../support/dimse-requests';

describe('DIMSE: malformed and unexpected messages answered with a failure status', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const studiesOf = async (patientId: string) => (await http(`${server.httpUrl}/dicomweb/studies?PatientID=${patientId}`, { token })).json<unknown[]>();

  it('answers a C-STORE without Affected SOP Instance UID with 0xC000 naming the element, stores nothing, and the association then stores', async () => {
    const peer = await openAssociation(server);
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
    const peer = await openAssociation(server);
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
    const peer = await openAssociation(server);
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
    const peer = await openAssociation(server);
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
    const peer = await openAssociation(server);
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
});
