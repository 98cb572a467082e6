// WADO-RS default transfer syntaxes (PS3.18 8.7.3.5.2), end to end: an instance retrieved
// without transfer-syntax comes back in Explicit VR Little Endian whatever it is stored in, with
// the pixels of the original (lossless syntaxes) or of DCMTK's decoder (lossy ones); frames asked
// as application/octet-stream come back uncompressed; transfer-syntax=* gives the stored bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import { BuiltInstance, buildInstance, newUid, TransferSyntax } from '../support/generator';
import { http, multipartRelated, parseMultipart } from '../support/http';
import {
  decodedByDcmtk, frame16, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1, multiFrameInstance, storedFrames, toJpeg, toJpeg2000, toJpegLs,
} from '../support/pixel-instances';
import { startTestServer, TestServer } from '../support/server';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const MPEG2 = '1.2.840.10008.1.2.4.100';
const DICOM_DEFAULT = 'multipart/related; type="application/dicom"';
const FRAMES_DEFAULT = 'multipart/related; type="application/octet-stream"';

/** A stored instance and the native frames a default retrieve must give for it. */
interface Case {
  name: string;
  stored: BuiltInstance;
  frames: Buffer[];
  samplesPerPixel: number;
  photometric: string;
}

const read = (b: Buffer) => data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);

describe('DICOMweb: WADO-RS default transfer syntax is Explicit VR Little Endian (PS3.18 8.7.3.5.2)', () => {
  let server: TestServer;
  let token: string;
  const web = (path: string) => `${server.httpUrl}/dicomweb${path}`;
  const path = (i: BuiltInstance) => `/studies/${i.studyUid}/series/${i.seriesUid}/instances/${i.sopInstanceUid}`;
  const studyUid = newUid();
  const base = { studyUid, patientId: 'TS-1' };
  const ramp = frame16(32, 32, (x, y) => (x + y) * 66);
  const inverse = frame16(32, 32, (x, y) => 4092 - (x + y) * 66);
  const multiFrame = (seriesNumber: number) => multiFrameInstance({ ...base, seriesUid: newUid(), seriesNumber, rows: 32, columns: 32 }, [ramp, inverse]);
  const generated = (seriesNumber: number, transferSyntaxUid: string, bitsAllocated: 8 | 16 = 16) =>
    buildInstance({ ...base, seriesUid: newUid(), seriesNumber, rows: 64, columns: 48, bitsAllocated, transferSyntaxUid });
  // The generator's gradient in explicit VR little endian: what lossless syntaxes must decode to.
  const gradient = (bitsAllocated: 8 | 16 = 16) => storedFrames(buildInstance({ rows: 64, columns: 48, bitsAllocated }).bytes);
  const cases: Case[] = [];
  let video: BuiltInstance;

  before(async () => {
    const mono = (name: string, stored: BuiltInstance, frames: Buffer[]) => cases.push({ name, stored, frames, samplesPerPixel: 1, photometric: 'MONOCHROME2' });
    mono('explicit VR big endian', generated(1, TransferSyntax.ExplicitBigEndian), gradient());
    mono('deflated explicit VR little endian', generated(2, TransferSyntax.DeflatedExplicitLittleEndian), gradient());
    mono('RLE lossless, 16 bits', generated(3, TransferSyntax.RleLossless), gradient());
    mono('RLE lossless, 8 bits', generated(4, TransferSyntax.RleLossless, 8), gradient(8));
    mono('JPEG lossless SV1, two frames', await toJpeg(multiFrame(5), JPEG_LOSSLESS_SV1), [ramp, inverse]);
    mono('JPEG lossless (process 14), two frames', await toJpeg(multiFrame(6), JPEG_LOSSLESS), [ramp, inverse]);
    mono('JPEG-LS lossless, two frames', await toJpegLs(multiFrame(7)), [ramp, inverse]);
    mono('JPEG 2000 lossless', await toJpeg2000(generated(8, TransferSyntax.ExplicitLittleEndian)), gradient());
    const extended = await toJpeg(multiFrame(9), JPEG_EXTENDED);
    mono('JPEG extended 12-bit (lossy), two frames', extended, storedFrames((await decodedByDcmtk(extended)).bytes));
    const baseline = generated(10, TransferSyntax.JpegBaseline);
    cases.push({ name: 'JPEG baseline YBR_FULL (lossy)', stored: baseline, frames: storedFrames((await decodedByDcmtk(baseline)).bytes), samplesPerPixel: 3, photometric: 'RGB' });
    video = buildInstance({ ...base, seriesUid: newUid(), seriesNumber: 11, rows: 16, columns: 16, bitsAllocated: 8, transferSyntaxUid: MPEG2, fragments: [Buffer.alloc(64, 1)] });
    server = await startTestServer();
    token = await server.token();
    const { body, contentType } = multipartRelated([...cases.map((c) => c.stored.bytes), video.bytes]);
    const stored = await http(web('/studies'), { method: 'POST', token, body, headers: { 'content-type': contentType, accept: 'application/dicom+json' } });
    assert.equal(stored.status, 200, stored.body.toString());
  });
  after(async () => {
    await server?.stop();
  });

  /** Checks a Part 10 body: Explicit VR LE, the same instance, the expected native frames. */
  function assertDecoded(c: Case, part10: Buffer): void {
    const ds = read(part10);
    assert.deepEqual(ds.meta['00020010'].Value, [EXPLICIT_LE], c.name);
    assert.deepEqual(ds.dict['00080018'].Value, [c.stored.sopInstanceUid], c.name);
    assert.deepEqual(ds.dict['00280004'].Value, [c.photometric], c.name);
    assert.deepEqual(storedFrames(part10), c.frames, `${c.name}: pixels differ`);
  }

  it('retrieves each instance without transfer-syntax as Explicit VR LE, as multipart and as application/dicom', async () => {
    for (const c of cases) {
      const multi = await http(web(path(c.stored)), { token, headers: { accept: DICOM_DEFAULT } });
      assert.equal(multi.status, 200, `${c.name}: ${multi.body.toString()}`);
      const parts = parseMultipart(multi.body, multi.headers.get('content-type') ?? '');
      assert.match(parts[0].headers, /Content-Type: application\/dicom; transfer-syntax=1\.2\.840\.10008\.1\.2\.1\r?$/m, c.name);
      assertDecoded(c, parts[0].body);
      const single = await http(web(path(c.stored)), { token, headers: { accept: 'application/dicom' } });
      assert.equal(single.headers.get('content-type'), `application/dicom; transfer-syntax=${EXPLICIT_LE}`, c.name);
      assert.equal(single.headers.get('content-length'), String(single.body.length), c.name);
      assertDecoded(c, single.body);
    }
  });

  it('a series without Accept comes in Explicit VR LE; a study with video is refused Explicit VR LE, sent as stored for any type', async () => {
    const refused = await http(web(`/studies/${studyUid}`), { token, headers: { accept: DICOM_DEFAULT } });
    assert.equal(refused.status, 406);
    assert.match(refused.json().message, /cannot be produced: no decoder for 1\.2\.840\.10008\.1\.2\.4\.100/);
    const series = await http(web(`/studies/${studyUid}/series/${cases[6].stored.seriesUid}`), { token });
    const [part] = parseMultipart(series.body, series.headers.get('content-type') ?? '');
    assertDecoded(cases[6], part.body);
    // Any type is the server's choice: with video in the study, the stored syntaxes.
    const anyType = await http(web(`/studies/${studyUid}`), { token });
    assert.equal(anyType.status, 200);
    assert.equal(parseMultipart(anyType.body, anyType.headers.get('content-type') ?? '').length, cases.length + 1);
  });

  it('retrieves frames asked as application/octet-stream uncompressed: rows × columns × samples × bytes each', async () => {
    for (const c of cases) {
      const frameNumbers = c.frames.map((_, i) => i + 1).reverse();
      const res = await http(web(`${path(c.stored)}/frames/${frameNumbers.join(',')}`), { token, headers: { accept: FRAMES_DEFAULT } });
      assert.equal(res.status, 200, `${c.name}: ${res.body.toString()}`);
      const parts = parseMultipart(res.body, res.headers.get('content-type') ?? '');
      const ds = read(c.stored.bytes).dict;
      const length = Number(ds['00280010'].Value?.[0]) * Number(ds['00280011'].Value?.[0]) * c.samplesPerPixel * (Number(ds['00280100'].Value?.[0]) / 8);
      assert.equal(parts.length, frameNumbers.length, c.name);
      parts.forEach((p, i) => {
        assert.match(p.headers, /Content-Type: application\/octet-stream; transfer-syntax=1\.2\.840\.10008\.1\.2\.1\r?$/m, c.name);
        assert.equal(p.body.length, length, c.name);
        assert.ok(p.body.equals(c.frames[frameNumbers[i] - 1]), `${c.name}: frame ${frameNumbers[i]} differs`);
      });
    }
  });

  it('transfer-syntax=* keeps the stored bytes, for instances and compressed frames', async () => {
    for (const c of [...cases, { stored: video, name: 'MPEG-2' }]) {
      const res = await http(web(path(c.stored)), { token, headers: { accept: `${DICOM_DEFAULT}; transfer-syntax=*` } });
      const [part] = parseMultipart(res.body, res.headers.get('content-type') ?? '');
      assert.ok(part.body.equals(c.stored.bytes), c.name);
      assert.equal(res.headers.get('content-length'), String(res.body.length), c.name);
    }
    for (const c of [...cases.slice(2), { stored: video, name: 'MPEG-2' }]) {
      const frames = await http(web(`${path(c.stored)}/frames/1`), { token, headers: { accept: `${FRAMES_DEFAULT}; transfer-syntax=*` } });
      const [frame] = parseMultipart(frames.body, frames.headers.get('content-type') ?? '');
      assert.ok(frame.headers.includes(`transfer-syntax=${c.stored.transferSyntaxUid}`), c.name);
      assert.ok(frame.body.equals(storedFrames(c.stored.bytes)[0]), `${c.name}: frame as stored`);
    }
  });

  it('answers 406, saying why, when the default syntax cannot be produced (no decoder for video)', async () => {
    const instance = await http(web(path(video)), { token, headers: { accept: 'application/dicom' } });
    assert.equal(instance.status, 406);
    assert.match(instance.json().message, /1\.2\.840\.10008\.1\.2\.1 \(the default\) cannot be produced: no decoder for 1\.2\.840\.10008\.1\.2\.4\.100/);
    const frames = await http(web(`${path(video)}/frames/1`), { token, headers: { accept: FRAMES_DEFAULT } });
    assert.equal(frames.status, 406);
    assert.match(frames.json().message, /cannot be decoded \(no codec for that syntax\)/);
  });
});
