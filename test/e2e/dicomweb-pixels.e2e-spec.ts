// WADO-RS pixels end to end, driven by the npm dicomweb-client OHIF uses: frames come back with
// the very bytes stored (native and compressed), bulk data URIs resolve, and rendered images and
// thumbnails decode (sharp) to the right size and format, for every compressed syntax we store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { dicomWebClient, DicomWebClient } from '../support/dicomweb-client';
import { BuiltInstance, buildInstance, newUid, TransferSyntax } from '../support/generator';
import { http, parseMultipart } from '../support/http';
import { frame16, multiFrameInstance, storedFrames, toJpeg2000, toJpegLs } from '../support/pixel-instances';
import { startTestServer, TestServer } from '../support/server';

const OHIF_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** The client's typings mark every option required (and miss mediaTypes); OHIF passes only some. */
function options<F extends (arg: never) => unknown>(opts: object): Parameters<F>[0] {
  return opts as Parameters<F>[0];
}

const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;

/** Decodes an image; dicomweb-client resolves a single-part response as a one-element array. */
async function pixelsOf(image: Buffer | ArrayBuffer | ArrayBuffer[]): Promise<{ format?: string; width: number; height: number; data: Buffer; mean: number }> {
  const input = Buffer.isBuffer(image) ? image : Buffer.from(Array.isArray(image) ? image[0] : image);
  const meta = await sharp(input).metadata();
  const { data, info } = await sharp(input).greyscale().raw().toBuffer({ resolveWithObject: true });
  const mean = data.reduce((s, v) => s + v, 0) / data.length;
  return { format: meta.format, width: info.width, height: info.height, data, mean };
}

describe('DICOMweb pixels: WADO-RS frames, bulk data, rendered, thumbnail', () => {
  let server: TestServer;
  let token: string;
  let client: DicomWebClient;
  const web = (path: string) => `${server.httpUrl}/dicomweb${path}`;
  const studyUid = newUid();
  const base = { studyUid, patientId: 'PIX-1' };
  // 64 rows × 48 columns: a non-square image tells width from height.
  const native = buildInstance({ ...base, seriesUid: newUid(), seriesNumber: 1, rows: 64, columns: 48 });
  const rle = buildInstance({ ...base, seriesUid: newUid(), seriesNumber: 2, rows: 64, columns: 48, transferSyntaxUid: TransferSyntax.RleLossless });
  const jpeg = buildInstance({ ...base, seriesUid: newUid(), seriesNumber: 3, rows: 64, columns: 48, transferSyntaxUid: TransferSyntax.JpegBaseline });
  // Two frames: a dark-to-bright ramp, then its inverse.
  const ramp = frame16(32, 32, (x, y) => (x + y) * 66);
  const inverse = frame16(32, 32, (x, y) => 4092 - (x + y) * 66);
  const multi = multiFrameInstance({ ...base, seriesUid: newUid(), seriesNumber: 4, rows: 32, columns: 32 }, [ramp, inverse]);
  let jls: BuiltInstance;
  let j2k: BuiltInstance;
  const big = buildInstance({ ...base, seriesUid: newUid(), seriesNumber: 6, rows: 256, columns: 200 });
  // A study of one series of three sizes: the middle instance (24 rows) stands for both.
  const sizesStudy = newUid();
  const sizesSeries = newUid();
  const sizes = [16, 24, 32].map((rows, i) => buildInstance({ studyUid: sizesStudy, seriesUid: sizesSeries, instanceNumber: i + 1, rows, columns: rows }));

  const path = (i: BuiltInstance) => `/studies/${i.studyUid}/series/${i.seriesUid}/instances/${i.sopInstanceUid}`;
  const ids = (i: BuiltInstance) => ({ studyInstanceUID: i.studyUid, seriesInstanceUID: i.seriesUid, sopInstanceUID: i.sopInstanceUid });

  before(async () => {
    jls = await toJpegLs(multiFrameInstance({ ...base, seriesUid: newUid(), seriesNumber: 5, rows: 32, columns: 32 }, [ramp, inverse]));
    j2k = await toJpeg2000(buildInstance({ ...base, seriesUid: newUid(), seriesNumber: 7, rows: 64, columns: 48 }));
    server = await startTestServer();
    token = await server.token();
    client = dicomWebClient(server.httpUrl, token);
    await client.storeInstances({ datasets: [native, rle, jpeg, multi, jls, j2k, big, ...sizes].map((i) => ab(i.bytes)) });
  });
  after(async () => {
    await server?.stop();
  });

  it('retrieveInstanceFrames returns the stored native frame bytes', async () => {
    const frames = (await client.retrieveInstanceFrames(options<DicomWebClient['retrieveInstanceFrames']>({ ...ids(native), frameNumbers: '1' }))) as ArrayBuffer[];
    assert.equal(frames.length, 1);
    assert.ok(Buffer.from(frames[0]).equals(storedFrames(native.bytes)[0]));
  });

  it('frames 2,1 of a multi-frame instance come back in the order asked, as application/octet-stream parts', async () => {
    const res = await http(web(`${path(multi)}/frames/2,1`), { token, headers: { accept: OHIF_ACCEPT } });
    assert.equal(res.status, 200, res.body.toString());
    const parts = parseMultipart(res.body, res.headers.get('content-type') ?? '');
    assert.equal(parts.length, 2);
    assert.match(parts[0].headers, new RegExp(`Content-Type: application/octet-stream; transfer-syntax=${EXPLICIT_LE.replace(/\./g, '\\.')}`));
    assert.ok(parts[0].body.equals(inverse));
    assert.ok(parts[1].body.equals(ramp));
  });

  it('compressed frames come back exactly as stored, in their own media type or as octet-stream with transfer-syntax=*', async () => {
    const cases: [BuiltInstance, string, number][] = [
      [jpeg, 'image/jpeg', 1],
      [rle, 'image/x-dicom-rle', 1],
      [jls, 'image/jls', 2],
      [j2k, 'image/jp2', 1],
    ];
    for (const [instance, mediaType, frame] of cases) {
      const expected = storedFrames(instance.bytes)[frame - 1];
      const viaClient = (await client.retrieveInstanceFrames(
        options<DicomWebClient['retrieveInstanceFrames']>({
          ...ids(instance),
          frameNumbers: String(frame),
          mediaTypes: [{ mediaType, transferSyntaxUID: instance.transferSyntaxUid }],
        }),
      )) as ArrayBuffer[];
      assert.ok(Buffer.from(viaClient[0]).equals(expected), `${mediaType} via dicomweb-client`);
      const res = await http(web(`${path(instance)}/frames/${frame}`), { token, headers: { accept: OHIF_ACCEPT } });
      assert.equal(res.status, 200, res.body.toString());
      const [part] = parseMultipart(res.body, res.headers.get('content-type') ?? '');
      assert.ok(part.headers.includes(`application/octet-stream; transfer-syntax=${instance.transferSyntaxUid}`), part.headers);
      assert.ok(part.body.equals(expected), `${mediaType} via transfer-syntax=*`);
    }
  });

  it('answers 406 when Accept asks for a transfer syntax that would need encoding', async () => {
    const asJpeg = await http(web(`${path(native)}/frames/1`), { token, headers: { accept: 'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.50' } });
    assert.equal(asJpeg.status, 406);
    assert.equal(asJpeg.json().error, 'not-acceptable');
    const asJls = await http(web(`${path(jpeg)}/frames/1`), { token, headers: { accept: 'multipart/related; type="image/jls"' } });
    assert.equal(asJls.status, 406);
    assert.match(asJls.json().message, /stored as image\/jpeg in transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50 or decoded as application\/octet-stream/);
  });

  it('answers 404 for a frame past the end and 400 for a malformed frame list', async () => {
    const missing = await http(web(`${path(multi)}/frames/1,3`), { token, headers: { accept: OHIF_ACCEPT } });
    assert.equal(missing.status, 404);
    assert.match(missing.json().message, /frame 3 not found: .* has 2 frame/);
    for (const list of ['0', '1,x', '1;2']) {
      const bad = await http(web(`${path(multi)}/frames/${list}`), { token, headers: { accept: OHIF_ACCEPT } });
      assert.equal(bad.status, 400, list);
      assert.equal(bad.json().error, 'bad-request');
    }
    assert.equal((await http(web(`/studies/${studyUid}/series/${newUid()}/instances/${newUid()}/frames/1`), { token })).status, 404);
  });

  it('bulk data URIs return Pixel Data: all native frames in one part, encapsulated frames one part each', async () => {
    const uri = (i: BuiltInstance, tag: string) => web(`${path(i)}/bulkdata/${tag}`);
    const bulkData = (BulkDataURI: string) => client.retrieveBulkData(options<DicomWebClient['retrieveBulkData']>({ BulkDataURI }));
    const nativeParts = (await bulkData(uri(multi, '7FE00010'))) as ArrayBuffer[];
    assert.equal(nativeParts.length, 1);
    assert.ok(Buffer.from(nativeParts[0]).equals(Buffer.concat([ramp, inverse])));
    const jlsParts = (await bulkData(uri(jls, '7fe00010'))) as ArrayBuffer[];
    assert.deepEqual(jlsParts.map((p) => Buffer.from(p)), storedFrames(jls.bytes));
    assert.equal((await http(uri(native, '00091010'), { token })).status, 404);
    assert.equal((await http(uri(native, '7FE0001'), { token })).status, 400);
  });

  it('retrieveInstanceRendered returns a JPEG of the image size by default, a PNG by Accept or the accept parameter', async () => {
    const asJpeg = await pixelsOf((await client.retrieveInstanceRendered(ids(native))) as unknown as ArrayBuffer[]);
    assert.deepEqual([asJpeg.format, asJpeg.width, asJpeg.height], ['jpeg', 48, 64]);
    const asPng = await pixelsOf((await client.retrieveInstanceRendered({ ...ids(native), mediaTypes: [{ mediaType: 'image/png' }] })) as unknown as ArrayBuffer[]);
    assert.deepEqual([asPng.format, asPng.width, asPng.height], ['png', 48, 64]);
    const byParam = await http(web(`${path(native)}/rendered?accept=${encodeURIComponent('image/png')}`), { token, headers: { accept: 'image/jpeg' } });
    assert.equal(byParam.headers.get('content-type'), 'image/png');
    assert.equal((await pixelsOf(byParam.body)).format, 'png');
    const refused = await http(web(`${path(native)}/rendered`), { token, headers: { accept: 'image/gif' } });
    assert.equal(refused.status, 406);
  });

  it('viewport scales the rendered image to fit inside it, keeping the aspect ratio', async () => {
    const fitted = await pixelsOf((await client.retrieveInstanceRendered({ ...ids(native), queryParams: { viewport: '24,24' } })) as unknown as ArrayBuffer[]);
    assert.deepEqual([fitted.width, fitted.height], [18, 24]);
    const wide = await pixelsOf((await http(web(`${path(native)}/rendered?viewport=96,`), { token })).body);
    assert.deepEqual([wide.width, wide.height], [96, 128]);
    assert.equal((await http(web(`${path(native)}/rendered?viewport=0,10`), { token })).status, 400);
  });

  it('window changes the rendered pixel values (center,width in rescaled units)', async () => {
    const render = async (query: string) => pixelsOf((await http(web(`${path(native)}/rendered?accept=image/png&${query}`), { token })).body);
    const auto = await render('');
    const belowAll = await render('window=-2000,10,linear'); // every value is above: white
    const aboveAll = await render('window=5000,10'); // every value is below: black
    assert.ok(auto.mean > 60 && auto.mean < 200, `min/max window mean ${auto.mean}`);
    assert.ok(belowAll.mean > 250, `mean ${belowAll.mean}`);
    assert.ok(aboveAll.mean < 5, `mean ${aboveAll.mean}`);
    const sigmoid = await render('window=1024,2048,sigmoid');
    assert.notDeepEqual(sigmoid.data, auto.data);
    assert.equal((await http(web(`${path(native)}/rendered?window=40,0`), { token })).status, 400);
  });

  it('renders every stored syntax: RLE, JPEG-LS and JPEG 2000 exactly as the uncompressed original, JPEG baseline as a ramp', async () => {
    const png = (i: BuiltInstance) => client.retrieveInstanceRendered({ ...ids(i), mediaTypes: [{ mediaType: 'image/png' }] }) as unknown as Promise<ArrayBuffer[]>;
    const reference = await pixelsOf(await png(native));
    for (const lossless of [rle, j2k]) {
      const rendered = await pixelsOf(await png(lossless));
      assert.ok(rendered.data.equals(reference.data), lossless.transferSyntaxUid);
    }
    const jlsFrame1 = await pixelsOf(await png(jls));
    const multiFrame1 = await pixelsOf(await png(multi));
    assert.ok(jlsFrame1.data.equals(multiFrame1.data), 'JPEG-LS');
    const lossy = await pixelsOf(await png(jpeg));
    assert.deepEqual([lossy.width, lossy.height], [48, 64]);
    assert.ok(lossy.data[0] < 20 && lossy.data[lossy.data.length - 1] > 235, 'dark top-left, bright bottom-right');
  });

  it('frames/{n}/rendered renders the frame asked for', async () => {
    const one = await pixelsOf((await client.retrieveInstanceFramesRendered({ ...ids(multi), frameNumbers: '1', mediaTypes: [{ mediaType: 'image/png' }] })) as unknown as ArrayBuffer[]);
    const two = await pixelsOf((await client.retrieveInstanceFramesRendered({ ...ids(jls), frameNumbers: '2', mediaTypes: [{ mediaType: 'image/png' }] })) as unknown as ArrayBuffer[]);
    assert.ok(one.data[0] < 20 && two.data[0] > 235, `frame 1 starts dark (${one.data[0]}), frame 2 bright (${two.data[0]})`);
    assert.equal((await http(web(`${path(multi)}/frames/3/rendered`), { token })).status, 404);
    assert.equal((await http(web(`${path(multi)}/frames/1,2/rendered`), { token })).status, 400);
  });

  it('thumbnails fit in 128 pixels; series and study rendered show the middle instance', async () => {
    const thumb = await pixelsOf((await client.retrieveInstanceThumbnail(ids(big))) as unknown as ArrayBuffer[]);
    assert.deepEqual([thumb.format, thumb.width, thumb.height], ['jpeg', 100, 128]);
    for (const route of [`/studies/${sizesStudy}/series/${sizesSeries}/rendered`, `/studies/${sizesStudy}/rendered`, `/studies/${sizesStudy}/series/${sizesSeries}/thumbnail`, `/studies/${sizesStudy}/thumbnail`]) {
      const res = await http(web(route), { token });
      assert.equal(res.status, 200, route);
      const image = await pixelsOf(res.body);
      assert.deepEqual([image.width, image.height], [24, 24], route);
    }
    assert.equal((await http(web(`/studies/${newUid()}/rendered`), { token })).status, 404);
  });

  it('refuses pixel routes without a token (401)', async () => {
    assert.equal((await http(web(`${path(native)}/frames/1`))).status, 401);
    assert.equal((await http(web(`${path(native)}/rendered`))).status, 401);
  });
});
