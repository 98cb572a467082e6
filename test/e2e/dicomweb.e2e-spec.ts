// DICOMweb end to end: STOW-RS stores, QIDO-RS finds (checked field by field), WADO-RS returns
// the very bytes that were stored (transfer-syntax=*) or explicit VR little endian by default;
// bad requests get the PS3.18 status and store nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import { buildInstance, newUid, TransferSyntax } from '../support/generator';
import { http, multipartRelated, parseMultipart, value } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

describe('DICOMweb: STOW-RS, QIDO-RS, WADO-RS', () => {
  let server: TestServer;
  let token: string;
  const web = (path: string) => `${server.httpUrl}/dicomweb${path}`;
  const studyUid = newUid();
  const ctSeries = newUid();
  const patient = { patientName: 'SMITH^ANNA', patientId: 'WEB-1', patientBirthDate: '19700203', patientSex: 'F' };
  const study = { ...patient, studyUid, studyDate: '20250314', studyTime: '101500', accessionNumber: 'ACC-WEB-1', studyDescription: 'CT ABDOMEN' };
  const instances = [
    buildInstance({ ...study, seriesUid: ctSeries, seriesNumber: 1, instanceNumber: 1 }),
    buildInstance({ ...study, seriesUid: ctSeries, seriesNumber: 1, instanceNumber: 2, transferSyntaxUid: TransferSyntax.JpegBaseline }),
    buildInstance({ ...study, seriesUid: newUid(), seriesNumber: 2, instanceNumber: 1, modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4' }),
  ];

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const stow = (parts: Buffer[], path = '/studies') => {
    const { body, contentType } = multipartRelated(parts);
    return http(web(path), { method: 'POST', token, body, headers: { 'content-type': contentType, accept: 'application/dicom+json' } });
  };

  it('refuses every DICOMweb request without a valid token (401)', async () => {
    assert.equal((await http(web('/studies'))).status, 401);
    assert.equal((await http(web('/studies'), { token: 'not-a-jwt' })).status, 401);
    assert.equal((await http(web('/studies'), { method: 'POST', body: 'x', headers: { 'content-type': 'application/dicom' } })).status, 401);
  });

  it('STOW-RS stores a study of three instances, one JPEG-compressed (200, Referenced SOP Sequence)', async () => {
    const res = await stow(instances.map((i) => i.bytes));
    assert.equal(res.status, 200, res.body.toString());
    const body = res.json();
    const referenced = body['00081199'].Value as Record<string, any>[];
    assert.deepEqual(referenced.map((r) => value(r, '00081155')).sort(), instances.map((i) => i.sopInstanceUid).sort());
    assert.equal(value(referenced[0], '00081150'), instances[0].sopClassUid);
    assert.match(String(value(body, '00081190')), new RegExp(`/dicomweb/studies/${studyUid}$`));
    assert.equal(body['00081198'], undefined);
  });

  it('QIDO-RS finds the study by each matching key and returns its attributes and computed counts', async () => {
    const queries = [
      'PatientName=smith*',
      'PatientID=WEB-1',
      'StudyDate=20250301-20250331',
      'AccessionNumber=ACC-WEB-1',
      'ModalitiesInStudy=MR',
      `StudyInstanceUID=${newUid()},${studyUid}`,
      '00100020=WEB-1',
    ];
    for (const q of queries) {
      const res = await http(web(`/studies?${q}`), { token });
      assert.equal(res.status, 200, q);
      assert.match(res.headers.get('content-type') ?? '', /application\/dicom\+json/);
      const found = res.json<Record<string, any>[]>();
      assert.equal(found.length, 1, `${q} → ${found.length} results`);
      const s = found[0];
      assert.equal(value(s, '0020000D'), studyUid);
      assert.deepEqual(value(s, '00100010'), { Alphabetic: 'SMITH^ANNA' });
      assert.equal(value(s, '00100020'), 'WEB-1');
      assert.equal(value(s, '00100030'), '19700203');
      assert.equal(value(s, '00100040'), 'F');
      assert.equal(value(s, '00080020'), '20250314');
      assert.equal(value(s, '00080050'), 'ACC-WEB-1');
      assert.equal(value(s, '00201206'), 2);
      assert.equal(value(s, '00201208'), 3);
      assert.deepEqual([...s['00080061'].Value].sort(), ['CT', 'MR']);
    }
    for (const q of ['PatientName=JONES*', 'StudyDate=20240101-20241231', 'ModalitiesInStudy=US', 'PatientID=WEB']) {
      assert.deepEqual((await http(web(`/studies?${q}`), { token })).json(), [], q);
    }
  });

  it('QIDO-RS lists series and instances with their counts and UIDs', async () => {
    const series = (await http(web(`/studies/${studyUid}/series`), { token })).json<Record<string, any>[]>();
    assert.deepEqual(series.map((s) => value(s, '00080060')), ['CT', 'MR']);
    assert.deepEqual(series.map((s) => value(s, '00201209')), [2, 1]);
    const ct = (await http(web(`/studies/${studyUid}/series?Modality=CT`), { token })).json<Record<string, any>[]>();
    assert.equal(ct.length, 1);
    assert.equal(value(ct[0], '0020000E'), ctSeries);
    const inst = (await http(web(`/studies/${studyUid}/series/${ctSeries}/instances`), { token })).json<Record<string, any>[]>();
    assert.deepEqual(inst.map((i) => value(i, '00080018')), [instances[0].sopInstanceUid, instances[1].sopInstanceUid]);
    assert.deepEqual(inst.map((i) => value(i, '00200013')), [1, 2]);
    const one = (await http(web(`/studies/${studyUid}/series/${ctSeries}/instances?SOPInstanceUID=${instances[1].sopInstanceUid}`), { token })).json();
    assert.equal(one.length, 1);
  });

  it('QIDO-RS pages with limit/offset and warns when results are cut', async () => {
    const res = await http(web(`/studies/${studyUid}/series?limit=1`), { token });
    assert.equal(res.json().length, 1);
    assert.match(res.headers.get('warning') ?? '', /^299 /);
    const second = await http(web(`/studies/${studyUid}/series?limit=1&offset=1`), { token });
    assert.equal(value(second.json()[0], '00080060'), 'MR');
    assert.equal(second.headers.get('warning'), null);
  });

  it('QIDO-RS answers 400 with a message for a bad parameter', async () => {
    for (const q of ['NoSuchAttribute=1', 'limit=-1', 'limit=abc']) {
      const res = await http(web(`/studies?${q}`), { token });
      assert.equal(res.status, 400, q);
      assert.ok(res.json().message, q);
    }
  });

  it('WADO-RS returns each instance byte for byte with transfer-syntax=*, as multipart and as application/dicom', async () => {
    for (const inst of instances) {
      const path = `/studies/${studyUid}/series/${inst.seriesUid}/instances/${inst.sopInstanceUid}`;
      const multi = await http(web(path), { token, headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
      assert.equal(multi.status, 200);
      const parts = parseMultipart(multi.body, multi.headers.get('content-type') ?? '');
      assert.equal(parts.length, 1);
      assert.ok(parts[0].body.equals(inst.bytes), 'multipart bytes differ');
      assert.equal(multi.headers.get('content-length'), String(multi.body.length), 'multipart Content-Length');
      const single = await http(web(path), { token, headers: { accept: 'application/dicom; transfer-syntax=*' } });
      assert.ok(single.body.equals(inst.bytes), 'application/dicom bytes differ');
      assert.equal(single.headers.get('content-length'), String(inst.bytes.length), 'application/dicom Content-Length');
    }
  });

  it('WADO-RS gives each of many concurrent application/dicom retrieves its own instance, byte for byte', async () => {
    // Bodies are sent from reused buffers: no response may carry another's bytes.
    const asks = Array.from({ length: 24 }, (_, n) => instances[n % instances.length]);
    const answers = await Promise.all(
      asks.map((inst) => http(web(`/studies/${studyUid}/series/${inst.seriesUid}/instances/${inst.sopInstanceUid}`), { token, headers: { accept: 'application/dicom; transfer-syntax=*' } })),
    );
    answers.forEach((res, n) => {
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(asks[n].bytes), `retrieve ${n} got other bytes`);
    });
  });

  it('WADO-RS streams a whole study as stored, one part per instance, and 404s an unknown one', async () => {
    const res = await http(web(`/studies/${studyUid}`), { token, headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
    const parts = parseMultipart(res.body, res.headers.get('content-type') ?? '');
    assert.equal(parts.length, 3);
    // The length is known before the first byte: no chunked framing, a progress bar for the viewer.
    assert.equal(res.headers.get('content-length'), String(res.body.length));
    assert.equal(res.headers.get('transfer-encoding'), null);
    const sent = new Set(instances.map((i) => i.bytes.toString('base64')));
    for (const p of parts) assert.ok(sent.has(p.body.toString('base64')));
    assert.equal((await http(web(`/studies/${newUid()}`), { token })).status, 404);
  });

  it('STOW-RS reports unparsable and wrong-study instances in the Failed SOP Sequence (409) and stores nothing', async () => {
    const other = buildInstance({ patientId: 'WEB-2' });
    const res = await stow([Buffer.from('definitely not DICOM'), other.bytes], `/studies/${studyUid}`);
    assert.equal(res.status, 409, res.body.toString());
    const failed = res.json()['00081198'].Value as Record<string, any>[];
    assert.deepEqual(failed.map((f) => value(f, '00081197')).sort(), [0xa900, 0xc000]);
    // PS3.18 10.5.3: a failed item names the instance whenever its UIDs could be read.
    const wrongStudy = failed.find((f) => value(f, '00081197') === 0xa900)!;
    assert.equal(value(wrongStudy, '00081155'), other.sopInstanceUid);
    assert.equal(value(wrongStudy, '00081150'), other.sopClassUid);
    assert.deepEqual((await http(web('/studies?PatientID=WEB-2'), { token })).json(), []);
  });

  it('STOW-RS answers 202 when some instances are stored and others fail', async () => {
    const good = buildInstance({ patientId: 'WEB-3' });
    const truncated = buildInstance({ patientId: 'WEB-3' }).bytes;
    const res = await stow([good.bytes, truncated.subarray(0, truncated.length - 500)]);
    assert.equal(res.status, 202, res.body.toString());
    assert.equal(res.json()['00081199'].Value.length, 1);
    assert.equal(res.json()['00081198'].Value.length, 1);
    const found = (await http(web('/studies?PatientID=WEB-3'), { token })).json();
    assert.equal(value(found[0], '00201208'), 1);
  });

  it('STOW-RS answers 400 to a broken multipart body and 415 to a wrong media type', async () => {
    const broken = await http(web('/studies'), {
      method: 'POST',
      token,
      body: Buffer.from('--abc\r\nContent-Type: application/dicom\r\n\r\nxyz'),
      headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=abc' },
    });
    assert.equal(broken.status, 400);
    assert.ok(broken.json().message);
    const wrong = await http(web('/studies'), { method: 'POST', token, body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(wrong.status, 415);
    const wrongType = multipartRelated([instances[0].bytes], 'image/jpeg');
    const res = await http(web('/studies'), { method: 'POST', token, body: wrongType.body, headers: { 'content-type': wrongType.contentType } });
    assert.equal(res.status, 415);
  });

  it('QIDO-RS answers 406 when Accept allows no JSON, and plain JSON when that is preferred', async () => {
    const xml = await http(web('/studies?PatientID=WEB-1'), { token, headers: { accept: 'multipart/related; type="application/dicom+xml"' } });
    assert.equal(xml.status, 406);
    assert.match(xml.json().message, /application\/dicom\+json/);
    const json = await http(web('/studies?PatientID=WEB-1'), { token, headers: { accept: 'application/dicom+json; q=0.1, application/json' } });
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((await http(web('/studies?PatientID=WEB-1'), { token, headers: { accept: '*/*' } })).status, 200);
  });

  it('QIDO-RS answers 400 naming the parameter for bad fuzzymatching, includefield, offset and repeated keys', async () => {
    const cases: [string, RegExp][] = [
      ['fuzzymatching=maybe', /fuzzymatching/],
      ['includefield=NoSuchKeyword', /NoSuchKeyword/],
      ['offset=-3', /offset/],
      ['limit=0', /limit/],
      ['PatientID=A&PatientID=B', /PatientID/],
      ['SeriesNumber=abc', /abc/],
    ];
    for (const [q, message] of cases) {
      const res = await http(web(`/series?${q}`), { token });
      assert.equal(res.status, 400, q);
      assert.match(res.json().message, message, q);
    }
  });

  it('QIDO-RS results carry the RetrieveURL (0008,1190) of their resource', async () => {
    const [found] = (await http(web(`/studies/${studyUid}/series/${ctSeries}/instances?InstanceNumber=1`), { token })).json();
    assert.equal(value(found, '00081190'), `${server.httpUrl}/dicomweb/studies/${studyUid}/series/${ctSeries}/instances/${instances[0].sopInstanceUid}`);
  });

  it('WADO-RS sends explicit VR little endian by default: native instances re-encoded, JPEG decoded, stored bytes for transfer-syntax=*', async () => {
    const implicit = buildInstance({ patientId: 'WEB-5', transferSyntaxUid: TransferSyntax.ImplicitLittleEndian });
    assert.equal((await stow([implicit.bytes])).status, 200);
    const path = web(`/studies/${implicit.studyUid}/series/${implicit.seriesUid}/instances/${implicit.sopInstanceUid}`);
    const explicit = TransferSyntax.ExplicitLittleEndian;
    const res = await http(path, { token, headers: { accept: `multipart/related; type="application/dicom"; transfer-syntax=${explicit}` } });
    assert.equal(res.status, 200);
    const [part] = parseMultipart(res.body, res.headers.get('content-type') ?? '');
    assert.equal(res.headers.get('content-length'), String(res.body.length), 'one instance is transcoded before the status line');
    assert.match(part.headers, new RegExp(`transfer-syntax=${explicit.replace(/\./g, '\\.')}`));
    const dict = data.DicomMessage.readFile(part.body.buffer.slice(part.body.byteOffset, part.body.byteOffset + part.body.length) as ArrayBuffer);
    assert.deepEqual(dict.meta['00020010'].Value, [explicit]);
    assert.deepEqual(dict.dict['00080018'].Value, [implicit.sopInstanceUid]);
    const asStored = await http(path, { token, headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
    assert.ok(parseMultipart(asStored.body, asStored.headers.get('content-type') ?? '')[0].body.equals(implicit.bytes));
    const study = await http(web(`/studies/${studyUid}`), { token });
    assert.equal(study.status, 200);
    const parts = parseMultipart(study.body, study.headers.get('content-type') ?? '');
    assert.equal(parts.length, 3);
    for (const p of parts) assert.match(p.headers, new RegExp(`transfer-syntax=${explicit.replace(/\./g, '\\.')}\r?$`, 'm'));
    // Stored in explicit VR little endian: sent as stored, never re-encoded.
    assert.ok(parts.some((p) => p.body.equals(instances[0].bytes)));
    assert.ok(!parts.some((p) => p.body.equals(instances[1].bytes)), 'the JPEG instance is decoded');
  });

  it('WADO-RS answers 406 when the asked syntax cannot be produced, or falls back by q-value', async () => {
    const mpeg2 = '1.2.840.10008.1.2.4.100';
    const video = buildInstance({ patientId: 'WEB-6', rows: 16, columns: 16, bitsAllocated: 8, transferSyntaxUid: mpeg2, fragments: [Buffer.alloc(64, 1)] });
    assert.equal((await stow([video.bytes])).status, 200);
    const path = web(`/studies/${video.studyUid}`);
    const explicit = `multipart/related; type="application/dicom"; transfer-syntax=${TransferSyntax.ExplicitLittleEndian}`;
    const refused = await http(path, { token, headers: { accept: explicit } });
    assert.equal(refused.status, 406);
    assert.match(refused.json().message, /no decoder for 1\.2\.840\.10008\.1\.2\.4\.100/);
    const jpeg = web(`/studies/${studyUid}/series/${ctSeries}/instances/${instances[1].sopInstanceUid}`);
    assert.equal((await http(jpeg, { token, headers: { accept: `multipart/related; type="application/dicom"; transfer-syntax=${TransferSyntax.RleLossless}` } })).status, 406);
    const fallback = await http(path, { token, headers: { accept: `${explicit}, multipart/related; type="application/dicom"; transfer-syntax=*; q=0.5` } });
    assert.equal(fallback.status, 200, 'falls back to the stored syntax by q-value');
    assert.ok(parseMultipart(fallback.body, fallback.headers.get('content-type') ?? '')[0].body.equals(video.bytes));
  });

  it('keeps serving after all of that', async () => {
    assert.equal((await http(`${server.httpUrl}/health`)).status, 200);
    assert.equal((await http(web(`/studies?PatientID=WEB-1`), { token })).json().length, 1);
  });
});
