// Hand-built DIMSE requests for specs that send what no DICOM tool sends: one association with a
// presentation context per service (and one we do not serve), command sets and data sets in
// implicit VR little endian, and the checks that the server still stores afterwards.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { storescu } from './dcmtk';
import { buildInstance, CT_IMAGE_STORAGE, newUid, TransferSyntax, writeInstance } from './generator';
import { associate, commandSet, CommandField, datasetOf, nextCommand, pDataTf, ProposedContext, RawPeer, ReceivedCommand } from './raw-pdu';
import { TestServer } from './server';

export const VERIFICATION = '1.2.840.10008.1.1';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const MPPS = '1.2.840.10008.3.1.2.3.3';
export const STORAGE_COMMITMENT = '1.2.840.10008.1.20.1';
export const STORAGE_COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

/** Context ids of the association most tests open: one per service, and one we do not serve. */
export const Ctx = { Echo: 1, Ct: 3, Find: 5, Move: 7, Get: 9, Mpps: 11, Commitment: 13, Unknown: 15 } as const;
export const CONTEXTS: ProposedContext[] = [
  { id: Ctx.Echo, abstractSyntax: VERIFICATION },
  { id: Ctx.Ct, abstractSyntax: CT_IMAGE_STORAGE },
  { id: Ctx.Find, abstractSyntax: STUDY_ROOT_FIND },
  { id: Ctx.Move, abstractSyntax: STUDY_ROOT_MOVE },
  { id: Ctx.Get, abstractSyntax: STUDY_ROOT_GET },
  { id: Ctx.Mpps, abstractSyntax: MPPS },
  { id: Ctx.Commitment, abstractSyntax: STORAGE_COMMITMENT },
  { id: Ctx.Unknown, abstractSyntax: '1.2.826.0.1.3680043.10.543.77' },
];

/** Command Data Set Type (0000,0800): no data set follows, or one does (PS3.7 E.1). */
export const NO_DATA_SET = 0x0101;
export const DATA_SET = 0x0000;
export const Status = { Success: 0x0000, MistypedArgument: 0x0212, UnrecognizedOperation: 0x0211, SopClassNotSupported: 0x0122, NoSuchSopClass: 0x0118, CannotUnderstand: 0xc000 };

/** (0008,0052) Query/Retrieve Level "STUDY", implicit VR little endian: a minimal identifier. */
export const STUDY_IDENTIFIER = Buffer.concat([Buffer.from([0x08, 0x00, 0x52, 0x00, 0x06, 0x00, 0x00, 0x00]), Buffer.from('STUDY ')]);

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
export function commitmentRequest(sopInstanceUid: string): Buffer {
  const item = Buffer.concat([element(0x0008, 0x1150, CT_IMAGE_STORAGE), element(0x0008, 0x1155, sopInstanceUid)]);
  return Buffer.concat([element(0x0008, 0x1195, newUid()), element(0x0008, 0x1199, element(0xfffe, 0xe000, item))]);
}

/** A C-ECHO-RQ command set on the Verification SOP class. */
export const echoCommand = (messageId: number) => commandSet({ 0x0002: VERIFICATION, 0x0100: CommandField.CEcho, 0x0110: messageId, 0x0800: NO_DATA_SET });

/** A status as four hex digits, so a failed assertion reads like the standard's tables. */
export const hex = (n: number | undefined) => `0x${(n ?? -1).toString(16).padStart(4, '0')}`;

/** Sends one message (command, then the data set if any) on a context and reads the response command set. */
export async function ask(peer: RawPeer, contextId: number, command: Record<number, number | string>, dataset?: Buffer): Promise<ReceivedCommand> {
  peer.socket.write(pDataTf(commandSet(command), true, true, contextId));
  if (dataset) peer.socket.write(pDataTf(dataset, false, true, contextId));
  return nextCommand(peer);
}

/** A C-STORE of a new CT instance for `patientId` on the CT context: the association still stores. */
export async function storeOn(peer: RawPeer, patientId: string, messageId: number): Promise<ReceivedCommand> {
  const instance = buildInstance({ patientId, transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
  const command = { 0x0002: CT_IMAGE_STORAGE, 0x0100: CommandField.CStore, 0x0110: messageId, 0x0700: 0, 0x0800: DATA_SET, 0x1000: instance.sopInstanceUid };
  return ask(peer, Ctx.Ct, command, datasetOf(instance.bytes));
}

/** Opens an association proposing CONTEXTS: every one accepted but the unknown one (result 3, PS3.8 9.3.3.2). */
export async function openAssociation(server: TestServer): Promise<RawPeer> {
  const { peer, results } = await associate(server.dimsePort, server.aeTitle, CONTEXTS);
  for (const { id } of CONTEXTS) assert.equal(results.get(id), id === Ctx.Unknown ? 3 : 0, `result of context ${id}`);
  return peer;
}

/** After an abort: a new association (DCMTK storescu) still stores an instance, written into `dir`. */
export async function stillStores(server: TestServer, dir: string): Promise<void> {
  const file = join(dir, `${newUid()}.dcm`);
  writeInstance(file, { patientId: 'MALFORMED-AFTER' });
  const res = await storescu(server.dimsePort, [file]);
  assert.deepEqual(res.statuses, ['0x0000'], res.stdout + res.stderr);
}
