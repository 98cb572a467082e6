// DIMSE end to end with DCMTK as the modality: C-ECHO, C-STORE of several SOP classes and transfer
// syntaxes stored as received, AE policy (unknown/wrong AE rejected, per-peer rights), and bad
// datasets answered with a failure status while the association and server keep working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { data } from 'dcmjs';
import { Client, Dataset, log, requests } from 'dcmjs-dimse';
import { echoscu, runDcmtk, storescu } from '../support/dcmtk';
import { BASIC_TEXT_SR, buildInstance, ENCAPSULATED_PDF, generateStudy, newUid, TransferSyntax, writeInstance } from '../support/generator';
import { http, value } from '../support/http';
import { startTestServer, TestServer, waitForLog } from '../support/server';

// dcmjs-dimse logs every PDU of the test's own client at info.
log.setLevel('warn');

const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const CR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.1';

describe('DIMSE: C-ECHO, C-STORE and the AE policy', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-dimse-'));
  const studyUid = newUid();
  const patient = { patientId: 'DIMSE-1', patientName: 'MODALITY^TEST', studyUid, studyDate: '20260101' };

  before(async () => {
    server = await startTestServer({
      env: { PACS_MAX_INSTANCE_BYTES: String(400_000) },
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'ECHOONLY', host: '127.0.0.1', port: 11114, services: ['echo'] },
      ],
    });
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const studies = async (patientId: string) =>
    (await http(`${server.httpUrl}/dicomweb/studies?PatientID=${patientId}`, { token })).json<Record<string, any>[]>();

  async function wado(seriesUid: string, sopUid: string, study = studyUid): Promise<Buffer> {
    const res = await http(`${server.httpUrl}/dicomweb/studies/${study}/series/${seriesUid}/instances/${sopUid}`, {
      token,
      headers: { accept: 'application/dicom; transfer-syntax=*' },
    });
    assert.equal(res.status, 200);
    return res.body;
  }

  it('answers C-ECHO from a known peer', async () => {
    const res = await echoscu(server.dimsePort);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout + res.stderr, /Received Echo Response \(Success\)/);
  });

  it('rejects an unknown calling AE and a wrong called AE (A-ASSOCIATE-RJ, PS3.8 9.3.4)', async () => {
    const unknown = await echoscu(server.dimsePort, { callingAe: 'STRANGER' });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stdout + unknown.stderr, /Calling AE Title Not Recognized/i);
    const wrongCalled = await echoscu(server.dimsePort, { calledAe: 'NOTPACS' });
    assert.notEqual(wrongCalled.code, 0);
    assert.match(wrongCalled.stdout + wrongCalled.stderr, /Called AE Title Not Recognized/i);
  });

  it('stores CT, MR, CR, SR and PDF in six transfer syntaxes exactly as received, with a correct File Meta', async () => {
    const cases = [
      { spec: { sopClassUid: MR_IMAGE_STORAGE, modality: 'MR', transferSyntaxUid: TransferSyntax.ImplicitLittleEndian }, args: ['-xi'] },
      { spec: { transferSyntaxUid: TransferSyntax.ExplicitLittleEndian }, args: ['-xe'] },
      { spec: { sopClassUid: CR_IMAGE_STORAGE, modality: 'CR', transferSyntaxUid: TransferSyntax.ExplicitBigEndian }, args: ['-xb'] },
      { spec: { transferSyntaxUid: TransferSyntax.DeflatedExplicitLittleEndian }, args: ['-xd'] },
      { spec: { transferSyntaxUid: TransferSyntax.JpegBaseline }, args: ['-xy'] },
      { spec: { transferSyntaxUid: TransferSyntax.RleLossless }, args: ['-xr'] },
      { spec: { sopClassUid: BASIC_TEXT_SR, modality: 'SR', rows: 0 }, args: [] },
      { spec: { sopClassUid: ENCAPSULATED_PDF, modality: 'DOC', rows: 0 }, args: [] },
    ];
    for (const [n, c] of cases.entries()) {
      const file = join(dir, `case-${n}.dcm`);
      const sent = writeInstance(file, { ...patient, seriesUid: newUid(), seriesNumber: n + 1, ...c.spec });
      const res = await storescu(server.dimsePort, [file], { extraArgs: c.args });
      assert.deepEqual(res.statuses, ['0x0000'], `case ${n}: ${res.stdout}${res.stderr}`);
      const stored = await wado(sent.seriesUid, sent.sopInstanceUid);
      const meta = data.DicomMessage.readFile(new Uint8Array(stored).buffer, { untilTag: '00080005' }).meta as Record<string, { Value: unknown[] }>;
      assert.equal(meta['00020010'].Value[0], sent.transferSyntaxUid, `case ${n}: stored transfer syntax`);
      assert.equal(meta['00020002'].Value[0], sent.sopClassUid);
      assert.equal(meta['00020003'].Value[0], sent.sopInstanceUid);
      assert.equal(String(meta['00020016'].Value[0]).trim(), 'TESTSCU');
      assert.ok(sameDataset(stored, sent.bytes, sent.transferSyntaxUid), `case ${n}: dataset differs`);
    }
    const [study] = await studies('DIMSE-1');
    assert.equal(value(study, '00201208'), cases.length);
    assert.equal(value(study, '00201206'), cases.length);
  });

  it('answers bad datasets with a failure status and an error comment, stores nothing, keeps the association', async () => {
    const bad = (name: string, edit: string[]) => {
      const file = join(dir, `${name}.dcm`);
      writeInstance(file, { patientId: 'DIMSE-BAD' });
      return { file, edit };
    };
    const invalidUid = bad('invalid-uid', ['-m', '(0020,000e)=1.2.03.x']);
    const noStudy = bad('no-study', ['-ea', '(0020,000d)']);
    for (const f of [invalidUid, noStudy]) {
      const res = await runDcmtk('dcmodify', ['-nb', '-nrc', ...f.edit, f.file]);
      assert.equal(res.code, 0, res.stderr);
    }
    const big = join(dir, 'too-large.dcm');
    writeInstance(big, { patientId: 'DIMSE-BAD', rows: 512, columns: 512 });
    const good = join(dir, 'good.dcm');
    writeInstance(good, { patientId: 'DIMSE-GOOD' });
    const res = await storescu(server.dimsePort, [invalidUid.file, noStudy.file, big, good], { extraArgs: ['-d', '-nh'] });
    assert.deepEqual(res.statuses, ['0xa900', '0xa900', '0xa700', '0x0000'], res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /\(0000,0902\) LO \[Series Instance UID \(0020,000E\) "1\.2\.03\.x" is not a valid UID\]/, 'error comment');
    assert.deepEqual(await studies('DIMSE-BAD'), []);
    assert.equal((await studies('DIMSE-GOOD')).length, 1);
  });

  it('refuses a store whose dataset is not the SOP class the command announced (0xA900)', async () => {
    const file = join(dir, 'mismatch.dcm');
    writeInstance(file, { patientId: 'DIMSE-MISMATCH' });
    const request = new requests.CStoreRequest(file);
    request.setAffectedSopClassUid(MR_IMAGE_STORAGE);
    const status = await sendWithClient(server.dimsePort, request);
    assert.equal(status, 0xa900);
    assert.deepEqual(await studies('DIMSE-MISMATCH'), []);
  });

  it('answers a truncated dataset and garbage sent over the wire with 0xC000 and stores nothing', async () => {
    // Implicit VR little endian: the transfer syntax every SCU proposes and this association uses.
    const good = buildInstance({ patientId: 'DIMSE-RAW', transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const dataset = datasetOf(good.bytes);
    for (const bytes of [dataset.subarray(0, dataset.length - 1000), Buffer.from('garbage, not a DICOM dataset at all')]) {
      const request = new requests.CStoreRequest(new RawDataset(good.sopClassUid, good.sopInstanceUid, bytes));
      assert.equal(await sendWithClient(server.dimsePort, request), 0xc000);
    }
    assert.deepEqual(await studies('DIMSE-RAW'), []);
  });

  it('refuses C-STORE from a peer without the store right (0x0124), while C-ECHO works', async () => {
    assert.equal((await echoscu(server.dimsePort, { callingAe: 'ECHOONLY' })).code, 0);
    const file = join(dir, 'no-right.dcm');
    writeInstance(file, { patientId: 'DIMSE-NORIGHT' });
    const res = await storescu(server.dimsePort, [file], { callingAe: 'ECHOONLY', extraArgs: ['-d'] });
    assert.deepEqual(res.statuses, ['0x0124'], res.stdout + res.stderr);
    assert.deepEqual(await studies('DIMSE-NORIGHT'), []);
  });

  it('manages peers over /api/peers (admin only) and applies changes to the next association', async () => {
    const api = (path: string, method = 'GET', body?: unknown, as = token) =>
      http(`${server.httpUrl}/api/peers${path}`, {
        method,
        token: as,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      });
    const peer = { aeTitle: 'NEWCT', host: '127.0.0.1', port: 11115, services: ['echo', 'store'] };
    assert.notEqual((await echoscu(server.dimsePort, { callingAe: 'NEWCT' })).code, 0, 'unknown before it is added');
    assert.equal((await api('', 'POST', peer)).status, 201);
    assert.equal((await api('', 'POST', peer)).status, 409);
    assert.equal((await api('', 'POST', { ...peer, aeTitle: 'BAD\\AE' })).status, 400);
    assert.equal((await api('', 'POST', { ...peer, aeTitle: 'OTHER', services: ['teleport'] })).status, 400);
    assert.deepEqual((await api('/NEWCT')).json().services, ['echo', 'store']);
    assert.ok((await api('')).json().some((p: { aeTitle: string }) => p.aeTitle === 'TESTSCU'));

    const file = join(dir, 'new-peer.dcm');
    writeInstance(file, { patientId: 'DIMSE-NEWPEER' });
    assert.deepEqual((await storescu(server.dimsePort, [file], { callingAe: 'NEWCT' })).statuses, ['0x0000']);
    assert.equal((await api('/NEWCT', 'PUT', { ...peer, services: ['echo'] })).status, 200);
    const refused = await storescu(server.dimsePort, [file], { callingAe: 'NEWCT', extraArgs: ['-d'] });
    assert.deepEqual(refused.statuses, ['0x0124']);
    // The host check for this peer alone (PACS_DIMSE_CHECK_HOST is off on this server).
    assert.equal((await api('/NEWCT')).json().checkHost, false);
    const elsewhere = await api('/NEWCT', 'PUT', { ...peer, host: '192.0.2.10', checkHost: true });
    assert.equal(elsewhere.json().checkHost, true);
    const rejected = await echoscu(server.dimsePort, { callingAe: 'NEWCT' });
    assert.match(rejected.stdout + rejected.stderr, /Calling AE Title Not Recognized/i, 'an association from another host than the peer\'s');
    assert.equal((await api('/NEWCT', 'PUT', { ...peer, checkHost: true })).status, 200);
    assert.equal((await echoscu(server.dimsePort, { callingAe: 'NEWCT' })).code, 0, 'from its own host');
    assert.equal((await api('/NEWCT', 'PUT', { ...peer, checkHost: 'yes' })).status, 400);
    // Associations a C-MOVE to it opens at once: 1 unless set, 1 to 8.
    assert.equal((await api('/NEWCT')).json().moveAssociations, 1);
    assert.equal((await api('/NEWCT', 'PUT', { ...peer, moveAssociations: 4 })).json().moveAssociations, 4);
    assert.equal((await api('/NEWCT')).json().moveAssociations, 4);
    for (const bad of [0, 9, 1.5, '2']) assert.equal((await api('/NEWCT', 'PUT', { ...peer, moveAssociations: bad })).status, 400, `moveAssociations ${bad}`);
    // PATCH changes only what it names; PUT above replaced everything (checkHost back to false).
    assert.equal((await api('/NEWCT', 'PATCH', { checkHost: true })).json().checkHost, true);
    const patched = (await api('/NEWCT', 'PATCH', { port: 105 })).json();
    assert.deepEqual([patched.port, patched.checkHost, patched.moveAssociations, patched.services], [105, true, 4, peer.services]);
    assert.equal((await api('/NEWCT', 'PATCH', { moveAssociations: 0 })).status, 400);
    // TLS for our associations to it: off unless set, kept by PATCH, a boolean only.
    assert.equal(patched.tls, false);
    assert.equal((await api('/NEWCT', 'PATCH', { tls: true })).json().tls, true);
    assert.equal((await api('/NEWCT', 'PATCH', { port: 105 })).json().tls, true);
    assert.equal((await api('/NEWCT', 'PATCH', { tls: 'yes' })).status, 400);
    assert.equal((await api('/NEWCT', 'PATCH', { aeTitle: 'OTHER' })).status, 400);
    assert.equal((await api('/NOSUCHPEER', 'PATCH', { port: 104 })).status, 404);
    assert.equal((await api('/NEWCT')).json().port, 105);
    assert.equal((await api('/NEWCT', 'DELETE')).status, 204);
    assert.equal((await api('/NEWCT')).status, 404);
    assert.notEqual((await echoscu(server.dimsePort, { callingAe: 'NEWCT' })).code, 0, 'unknown again once deleted');

    const created = await http(`${server.httpUrl}/api/users`, {
      method: 'POST',
      token,
      body: JSON.stringify({ username: 'rad2', password: 'rad2-password', roles: ['radiologist'] }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(created.status, 201);
    const radiologist = await server.token('rad2', 'rad2-password');
    const denied = await api('', 'POST', { ...peer, aeTitle: 'SNEAKY' }, radiologist);
    assert.equal(denied.status, 403);
    assert.match(denied.json().message, /admin/);
    assert.equal((await api('', 'GET', undefined, 'nope')).status, 401);
  });

  it('is still healthy after all of that', async () => {
    assert.equal((await http(`${server.httpUrl}/health`)).status, 200);
    assert.equal((await echoscu(server.dimsePort)).code, 0);
  });
});

/**
 * storescu re-encodes what it loaded: sequences may change length encoding and a deflated
 * dataset is deflated again. Pixel datasets are compared byte for byte, the others by content.
 */
function sameDataset(stored: Buffer, sent: Buffer, transferSyntaxUid: string): boolean {
  if (transferSyntaxUid === TransferSyntax.DeflatedExplicitLittleEndian) {
    return inflateRawSync(datasetOf(stored)).equals(inflateRawSync(datasetOf(sent)));
  }
  if (datasetOf(stored).equals(datasetOf(sent))) return true;
  const content = (b: Buffer) => JSON.stringify(data.DicomMessage.readFile(new Uint8Array(b).buffer).dict);
  return content(stored) === content(sent) && !sent.includes(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
}

/** A dataset whose encoded form is the given bytes, as a broken modality would send them. */
class RawDataset extends Dataset {
  constructor(sopClassUid: string, sopInstanceUid: string, private readonly raw: Buffer) {
    super({ SOPClassUID: sopClassUid, SOPInstanceUID: sopInstanceUid }, TransferSyntax.ImplicitLittleEndian);
  }

  override getDenaturalizedDataset(): Buffer {
    return this.raw;
  }
}

/** The bytes after the File Meta group: what DIMSE carries. */
function datasetOf(part10: Buffer): Buffer {
  const groupLength = part10.readUInt32LE(128 + 4 + 8);
  return part10.subarray(128 + 4 + 12 + groupLength);
}

function sendWithClient(port: number, request: InstanceType<typeof requests.CStoreRequest>): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let status = -1;
    request.on('response', (response: { getStatus(): number }) => (status = response.getStatus()));
    client.addRequest(request);
    client.on('networkError', reject);
    client.on('associationRejected', () => reject(new Error('association rejected')));
    client.on('closed', () => resolve(status));
    client.send('127.0.0.1', port, 'TESTSCU', 'PACS');
  });
}


describe('DIMSE: concurrent association limit', () => {
  it('rejects an association over PACS_DIMSE_MAX_ASSOCIATIONS as transient, and accepts again once one ends', async () => {
    const server = await startTestServer({ env: { PACS_DIMSE_MAX_ASSOCIATIONS: '1' } });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'pacs-limit-'));
      const files = generateStudy(dir, { series: 1, instancesPerSeries: 300, patientId: 'LIMIT-1' }).files;
      const busy = storescu(server.dimsePort, files);
      await waitForLog(server, /association accepted/);
      const refused = await echoscu(server.dimsePort);
      assert.notEqual(refused.code, 0);
      // PS3.8 Table 9-21: rejected-transient, service-provider (presentation), local-limit-exceeded.
      assert.match(refused.stdout + refused.stderr, /Rejected Transient[\s\S]*Local Limit Exceeded/i);
      assert.equal((await busy).statuses.filter((s) => s === '0x0000').length, files.length);
      assert.equal((await echoscu(server.dimsePort)).code, 0);
    } finally {
      await server.stop();
    }
  });
});
