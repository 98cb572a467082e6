// End to end: the ingest parses every data set to its end. What does not parse is refused over
// C-STORE (0xC000) and STOW-RS (Failure Reason 0xC000), with nothing stored and the association
// going on; data sets that are unusual but valid are stored, served back byte for byte, and every
// stored file parses with dcmdump.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { association, Client, Dataset, log, requests } from 'dcmjs-dimse';
import { runDcmtk } from '../support/dcmtk';
import { BIG, delimiter, el, Enc, EXPLICIT, IMPLICIT, item, seq, UNDEFINED } from '../support/dicom-bytes';
import { filesBelow } from '../support/files';
import { buildInstance, InstanceSpec, newUid, TransferSyntax } from '../support/generator';
import { http, multipartRelated, parseMultipart, value } from '../support/http';
import { startTestServer, TestServer, waitForLog } from '../support/server';

log.setLevel('warn');

const PIXEL_DATA = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);
const CANNOT_UNDERSTAND = 0xc000;
const PRIVATE_CREATOR = 0x7fdf0010;

/** The offset of the first data set byte of a Part 10 file. */
function metaEnd(part10: Buffer): number {
  return 144 + part10.readUInt32LE(140);
}

/** The bytes after the File Meta group: what DIMSE carries. */
function datasetOf(part10: Buffer): Buffer {
  return part10.subarray(metaEnd(part10));
}

/**
 * Adds private elements (group 7FDF sorts just before Pixel Data, the last element the generator
 * writes), and replaces Pixel Data when `pixelData` is given.
 */
function beforePixelData(part10: Buffer, enc: Enc, extra: Buffer[], pixelData?: Buffer): Buffer {
  const tag = enc.littleEndian ? PIXEL_DATA : Buffer.from([0x7f, 0xe0, 0x00, 0x10]);
  const at = part10.lastIndexOf(tag);
  return Buffer.concat([part10.subarray(0, at), el(enc, PRIVATE_CREATOR, 'LO', 'ACME 1.0'), ...extra, pixelData ?? part10.subarray(at)]);
}

/** Sets the VR of the first element with `tag` (explicit VR little endian) to two other letters. */
function withVr(part10: Buffer, tag: Buffer, vr: string): Buffer {
  const copy = Buffer.from(part10);
  copy.write(vr, copy.indexOf(tag, metaEnd(copy)) + 4, 'latin1');
  return copy;
}

/** A dataset whose encoded form is the given bytes, as a broken modality would send them. */
class RawDataset extends Dataset {
  constructor(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string, private readonly raw: Buffer) {
    super({ SOPClassUID: sopClassUid, SOPInstanceUID: sopInstanceUid }, transferSyntaxUid);
  }

  override getDenaturalizedDataset(): Buffer {
    return this.raw;
  }
}

interface Sent {
  bytes: Buffer;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  studyUid: string;
  seriesUid: string;
}

/**
 * Sends each data set as a C-STORE on one association, in its own transfer syntax; resolves with
 * each status and error comment. The client proposes implicit VR first for every SOP class (and
 * this server takes the first it supports), so explicit VR little endian gets a context of its own.
 */
function cStore(port: number, instances: Sent[]): Promise<{ status: number; comment?: string }[]> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const sopClasses = new Set(instances.filter((i) => i.transferSyntaxUid === TransferSyntax.ExplicitLittleEndian).map((i) => i.sopClassUid));
    for (const sopClass of sopClasses) {
      client.addAdditionalPresentationContext(new association.PresentationContext(0, sopClass, TransferSyntax.ExplicitLittleEndian), true);
    }
    const results = instances.map(() => ({ status: -1, comment: undefined as string | undefined }));
    instances.forEach((sent, n) => {
      const request = new requests.CStoreRequest(new RawDataset(sent.sopClassUid, sent.sopInstanceUid, sent.transferSyntaxUid, datasetOf(sent.bytes)));
      request.on('response', (response: { getStatus(): number; getErrorComment(): string | undefined }) => {
        results[n] = { status: response.getStatus(), comment: response.getErrorComment() };
      });
      client.addRequest(request);
    });
    client.on('networkError', reject);
    client.on('associationRejected', () => reject(new Error('association rejected')));
    client.on('closed', () => resolve(results));
    client.send('127.0.0.1', port, 'TESTSCU', 'PACS');
  });
}

describe('Ingest: data sets are parsed to their end before they are stored', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-structure-'));
  const studyUid = newUid();

  before(async () => {
    server = await startTestServer({ peers: [{ aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store'] }] });
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const web = (path: string) => `${server.httpUrl}/dicomweb${path}`;
  const found = async (patientId: string) => (await http(web(`/instances?PatientID=${patientId}`), { token })).json<unknown[]>();
  const stow = (parts: Buffer[]) => {
    const body = multipartRelated(parts);
    return http(web('/studies'), { method: 'POST', token, body: body.body, headers: { 'content-type': body.contentType } });
  };
  const blobs = () => filesBelow(join(server.dataDir, 'blobs')).length;
  const temps = () => filesBelow(join(server.dataDir, 'tmp')).length;

  /** Instances a fuzzer or a broken writer produces, which DCMTK's dcmdump cannot read either. */
  function malformed(patientId: string): Record<string, Sent> {
    const base = (spec: InstanceSpec = {}) => buildInstance({ patientId, ...spec });
    const explicit = base();
    const accession = Buffer.from([0x08, 0x00, 0x50, 0x00, 0x53, 0x48]);
    const implicit = base({ transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    const bigEndian = base({ transferSyntaxUid: TransferSyntax.ExplicitBigEndian });
    const privateItem = el(EXPLICIT, 0x7fdf1002, 'LO', 'ab');
    const overlong = item(BIG, el(BIG, 0x7fdf1002, 'LO', 'ab'));
    overlong.writeUInt32BE(40, 4);
    return {
      'an AccessionNumber with VR "SJ"': { ...explicit, bytes: withVr(explicit.bytes, accession, 'SJ') },
      'an item without its delimiter': {
        ...(() => {
          const b = base();
          return { ...b, bytes: beforePixelData(b.bytes, EXPLICIT, [el(EXPLICIT, 0x7fdf1001, 'SQ', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, 0xfffee000, UNDEFINED), privateItem, delimiter(EXPLICIT, 0xfffee0dd)]) };
        })(),
      },
      'a Sequence Delimitation Item outside any sequence': { ...implicit, bytes: beforePixelData(implicit.bytes, IMPLICIT, [delimiter(IMPLICIT, 0xfffee0dd)]) },
      'a text value of undefined length': {
        ...(() => {
          const b = base();
          return { ...b, bytes: beforePixelData(b.bytes, EXPLICIT, [el(EXPLICIT, 0x7fdf1001, 'UT', Buffer.alloc(0), UNDEFINED), delimiter(EXPLICIT, 0xfffee0dd)]) };
        })(),
      },
      'an item longer than its big endian sequence': { ...bigEndian, bytes: beforePixelData(bigEndian.bytes, BIG, [el(BIG, 0x7fdf1001, 'SQ', overlong)]) },
    };
  }

  it('answers 0xC000 with the byte offset to C-STOREs whose data sets do not parse, stores none, and keeps the association for the next', async () => {
    const bad = malformed('PARSE-DIMSE');
    for (const [name, sent] of Object.entries(bad)) {
      const file = join(dir, `dimse-${name.replace(/\W+/g, '-')}.dcm`);
      writeFileSync(file, sent.bytes);
      const dump = await runDcmtk('dcmdump', ['-q', file]);
      assert.notEqual(dump.code, 0, `dcmdump reads "${name}": the case would prove nothing`);
    }
    const good = buildInstance({ patientId: 'PARSE-DIMSE-GOOD' });
    const [blobsBefore, tempsBefore] = [blobs(), temps()];
    const results = await cStore(server.dimsePort, [...Object.values(bad), good]);
    assert.deepEqual(results.map((r) => r.status), [...Object.values(bad).map(() => CANNOT_UNDERSTAND), 0x0000], JSON.stringify(results));
    for (const r of results.slice(0, -1)) assert.match(r.comment ?? '', /^malformed data set at byte \d+: /);
    assert.deepEqual(await found('PARSE-DIMSE'), []);
    assert.equal((await found('PARSE-DIMSE-GOOD')).length, 1);
    assert.equal(blobs(), blobsBefore + 1, 'one blob: the good instance');
    assert.equal(temps(), tempsBefore, 'no temporary file left behind');
    assert.ok(await waitForLog(server, /"reason":"malformed data set at byte \d+: \(0008,0050\) has VR \\"SJ\\", not a DICOM VR/), 'the refusal is logged with its offset and reason');
  });

  it('reports Failure Reason 0xC000 for STOW-RS instances that do not parse, or whose File Meta group length is wrong, and stores the others', async () => {
    const bad = Object.values(malformed('PARSE-STOW')).map((s) => s.bytes);
    const huge = buildInstance({ patientId: 'PARSE-STOW' }).bytes;
    huge.writeUInt32LE(0x7fffffff, 140);
    const long = buildInstance({ patientId: 'PARSE-STOW' }).bytes;
    long.writeUInt32LE(long.readUInt32LE(140) + 18, 140);
    const good = buildInstance({ patientId: 'PARSE-STOW-GOOD' });
    const [blobsBefore, tempsBefore] = [blobs(), temps()];
    const res = await stow([...bad, huge, long, good.bytes]);
    assert.equal(res.status, 202, res.body.toString());
    const failed = res.json()['00081198'].Value as Record<string, any>[];
    assert.deepEqual(failed.map((f) => value(f, '00081197')), Array(bad.length + 2).fill(CANNOT_UNDERSTAND));
    assert.equal(value(res.json()['00081199'].Value[0], '00081155'), good.sopInstanceUid);
    assert.deepEqual(await found('PARSE-STOW'), []);
    assert.equal(blobs(), blobsBefore + 1);
    assert.equal(temps(), tempsBefore);
    assert.ok(await waitForLog(server, /File Meta Information malformed \(PS3\.10 7\.1\): its group length \(0002,0000\) says 2147483647 bytes/));
  });

  /** Valid data sets as old writers, other vendors and other transfer syntaxes make them. */
  function unusual(patientId: string): Record<string, Sent> {
    const base = (spec: InstanceSpec = {}) => buildInstance({ patientId, studyUid, ...spec });
    const implicit = base({ transferSyntaxUid: TransferSyntax.ImplicitLittleEndian, accessionNumber: '' });
    const oddPixels = base({ rows: 1, columns: 3, bitsAllocated: 8 });
    const bigEndian = base({ transferSyntaxUid: TransferSyntax.ExplicitBigEndian });
    const redundant = base();
    const un = [el(EXPLICIT, 0x7fdf1001, 'UN', Buffer.alloc(0), UNDEFINED), item(IMPLICIT, el(IMPLICIT, 0x7fdf1002, '', 'ab'), true), delimiter(IMPLICIT, 0xfffee0dd)];
    return {
      'implicit VR: a private sequence of undefined length, an odd-length private value, an empty value': {
        ...implicit,
        bytes: beforePixelData(implicit.bytes, IMPLICIT, [
          seq(IMPLICIT, 0x7fdf1001, [item(IMPLICIT, el(IMPLICIT, 0x7fdf1002, '', 'odd'), true), item(IMPLICIT, Buffer.alloc(0))], true),
          el(IMPLICIT, 0x7fdf1003, '', 'abc'),
        ]),
      },
      'UN of undefined length, a zero-length item, an empty sequence, 3 bytes of OB pixel data': {
        ...oddPixels,
        bytes: beforePixelData(
          oddPixels.bytes,
          EXPLICIT,
          [...un, seq(EXPLICIT, 0x7fdf1003, [item(EXPLICIT, Buffer.alloc(0))]), seq(EXPLICIT, 0x7fdf1004, [], true)],
          el(EXPLICIT, 0x7fe00010, 'OB', Buffer.from([1, 2, 3])),
        ),
      },
      'explicit VR big endian with a private sequence': {
        ...bigEndian,
        bytes: beforePixelData(bigEndian.bytes, BIG, [seq(BIG, 0x7fdf1001, [item(BIG, el(BIG, 0x7fdf1002, 'LO', 'ab'), true), item(BIG, el(BIG, 0x7fdf1002, 'LO', 'cd'))], true)]),
      },
      'a redundant Item Delimitation Item closing an item of defined length': {
        ...redundant,
        bytes: beforePixelData(redundant.bytes, EXPLICIT, [seq(EXPLICIT, 0x7fdf1001, [item(EXPLICIT, Buffer.concat([el(EXPLICIT, 0x7fdf1002, 'LO', 'ab'), delimiter(EXPLICIT, 0xfffee00d)]))])]),
      },
      deflated: base({ transferSyntaxUid: TransferSyntax.DeflatedExplicitLittleEndian }),
      'JPEG baseline, encapsulated': base({ transferSyntaxUid: TransferSyntax.JpegBaseline }),
    };
  }

  it('stores unusual but valid instances from C-STORE and STOW-RS, serves them byte for byte, and dcmdump reads every stored file', async () => {
    const viaDimse = unusual('UNUSUAL');
    const viaStow = unusual('UNUSUAL');
    const withoutGroupLength = buildInstance({ patientId: 'UNUSUAL', studyUid });
    withoutGroupLength.bytes = Buffer.concat([withoutGroupLength.bytes.subarray(0, 132), withoutGroupLength.bytes.subarray(144)]);
    viaStow['a File Meta without its group length'] = withoutGroupLength;

    const stored = await cStore(server.dimsePort, Object.values(viaDimse));
    assert.deepEqual(stored.map((r) => r.status), Object.values(viaDimse).map(() => 0x0000), JSON.stringify(stored));
    const res = await stow(Object.values(viaStow).map((s) => s.bytes));
    assert.equal(res.status, 200, res.body.toString());

    for (const [channel, instances] of [['C-STORE', viaDimse], ['STOW-RS', viaStow]] as const) {
      for (const [name, sent] of Object.entries(instances)) {
        const path = web(`/studies/${studyUid}/series/${sent.seriesUid}/instances/${sent.sopInstanceUid}`);
        const wado = await http(path, { token, headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
        assert.equal(wado.status, 200, `${channel}, ${name}`);
        const [part] = parseMultipart(wado.body, wado.headers.get('content-type') ?? '');
        // C-STORE carries the data set only: the File Meta is the archive's own.
        const same = channel === 'STOW-RS' ? part.body.equals(sent.bytes) : datasetOf(part.body).equals(datasetOf(sent.bytes));
        assert.ok(same, `${channel}, ${name}: served as received`);
        const file = join(dir, `stored-${channel}-${name.replace(/\W+/g, '-')}.dcm`);
        writeFileSync(file, part.body);
        const dump = await runDcmtk('dcmdump', ['-q', file]);
        assert.equal(dump.code, 0, `dcmdump ${channel}, ${name}: ${dump.stderr}`);
        assert.doesNotMatch(dump.stderr, /^E:/m, `${channel}, ${name}`);
      }
    }
    assert.equal((await found('UNUSUAL')).length, Object.keys(viaDimse).length + Object.keys(viaStow).length);
  });

  it('leaves only files dcmdump can read in the archive', async () => {
    const files = filesBelow(join(server.dataDir, 'blobs'));
    assert.ok(files.length >= 15, `${files.length} files`);
    for (const file of files) {
      const dump = await runDcmtk('dcmdump', ['-q', file]);
      assert.equal(dump.code, 0, `${file}: ${dump.stderr}`);
      assert.doesNotMatch(dump.stderr, /^E:/m, file);
    }
  });
});
