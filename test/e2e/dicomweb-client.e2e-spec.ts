// The npm dicomweb-client (what OHIF uses) against the real server: it stores a study over
// STOW-RS, searches at each QIDO-RS level (fuzzy, includefield, limit/offset), retrieves the
// study, a series and an instance (explicit VR LE byte for byte, JPEG decoded), and reads
// metadata at each level.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import { buildInstance, BuiltInstance, newUid, TransferSyntax } from '../support/generator';
import { value } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { dicomWebClient } from '../support/dicomweb-client';

type Dataset = Record<string, { vr: string; Value?: any[]; BulkDataURI?: string }>;
/** The client's typings mark optional options (request, mediaTypes) as required. */
type Client = Record<string, (options?: object) => Promise<any>>;

describe('DICOMweb with dicomweb-client (the OHIF client)', () => {
  let server: TestServer;
  let client: Client;
  const studyUid = newUid();
  const ctSeries = newUid();
  const mrSeries = newUid();
  const study = {
    studyUid,
    patientName: 'MÜLLER^ANNA^MARIA',
    patientId: 'DWC-1',
    specificCharacterSet: 'ISO_IR 100',
    studyDate: '20250601',
    studyDescription: 'CHEST CT',
    accessionNumber: 'ACC-DWC-1',
  };
  // Instance numbers out of order on purpose: metadata and retrieve follow series, then instance number.
  const ct: BuiltInstance[] = [2, 1, 3].map((n) =>
    buildInstance({ ...study, seriesUid: ctSeries, seriesNumber: 1, instanceNumber: n, seriesDescription: 'AXIAL' }),
  );
  const mr = buildInstance({
    ...study,
    seriesUid: mrSeries,
    seriesNumber: 2,
    instanceNumber: 1,
    modality: 'MR',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
    transferSyntaxUid: TransferSyntax.JpegBaseline,
  });
  const other = buildInstance({ patientName: 'JONES^BOB', patientId: 'DWC-2', studyDate: '20250602' });
  const all = [...ct, mr];
  const byNumber = [ct[1], ct[0], ct[2]]; // instance numbers 1, 2, 3

  before(async () => {
    server = await startTestServer();
    client = dicomWebClient(server.httpUrl, await server.token()) as unknown as Client;
    await client.storeInstances({ datasets: [...all, other].map((i) => toArrayBuffer(i.bytes)) });
  });
  after(async () => {
    await server?.stop();
  });

  it('searches studies by patient ID and returns the study attributes with a RetrieveURL', async () => {
    const studies = (await client.searchForStudies({ queryParams: { PatientID: 'DWC-1' } })) as Dataset[];
    assert.equal(studies.length, 1);
    const s = studies[0];
    assert.equal(value(s, '0020000D'), studyUid);
    assert.deepEqual(value(s, '00100010'), { Alphabetic: 'MÜLLER^ANNA^MARIA' });
    assert.equal(value(s, '00201206'), 2);
    assert.equal(value(s, '00201208'), 4);
    assert.equal(value(s, '00081190'), `${server.httpUrl}/dicomweb/studies/${studyUid}`);
  });

  it('matches patient names fuzzily only with fuzzymatching=true (each component by prefix, any case)', async () => {
    const fuzzy = (name: string): Promise<Dataset[]> => client.searchForStudies({ queryParams: { PatientName: name, fuzzymatching: 'true' } });
    for (const name of ['anna', 'müll', 'MARIA', 'mül ann']) {
      const found = await fuzzy(name);
      assert.deepEqual(found.map((s) => value(s, '0020000D')), [studyUid], name);
    }
    assert.deepEqual(await fuzzy('bobby'), []);
    assert.deepEqual(await client.searchForStudies({ queryParams: { PatientName: 'anna' } }), []);
  });

  it('returns extra attributes asked for by includefield (keywords, tags, a list, all)', async () => {
    const [plain] = (await client.searchForSeries({ studyInstanceUID: studyUid, queryParams: { Modality: 'CT' } })) as Dataset[];
    assert.equal(plain['00100020'], undefined, 'PatientID is not a default series attribute');
    assert.equal(plain['00080050'], undefined, 'AccessionNumber is not a default series attribute');
    const [listed] = (await client.searchForSeries({
      studyInstanceUID: studyUid,
      queryParams: { Modality: 'CT', includefield: ['PatientID', '00080050'] },
    })) as Dataset[];
    assert.equal(value(listed, '00100020'), 'DWC-1');
    assert.equal(value(listed, '00080050'), 'ACC-DWC-1');
    const [everything] = (await client.searchForInstances({
      studyInstanceUID: studyUid,
      seriesInstanceUID: mrSeries,
      queryParams: { includefield: 'all' },
    })) as Dataset[];
    assert.equal(value(everything, '00080060'), 'MR');
    assert.equal(value(everything, '00100020'), 'DWC-1');
  });

  it('searches series and instances at every level, top-level and nested, with limit and offset', async () => {
    const series = (await client.searchForSeries({ studyInstanceUID: studyUid })) as Dataset[];
    assert.deepEqual(series.map((s) => value(s, '0020000E')), [ctSeries, mrSeries]);
    assert.deepEqual(series.map((s) => value(s, '00201209')), [3, 1]);
    assert.equal(value(series[0], '00081190'), `${server.httpUrl}/dicomweb/studies/${studyUid}/series/${ctSeries}`);
    const mrOnly = (await client.searchForSeries({ queryParams: { Modality: 'MR', PatientID: 'DWC-1' } })) as Dataset[];
    assert.deepEqual(mrOnly.map((s) => value(s, '0020000E')), [mrSeries]);
    const inSeries = (await client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: ctSeries })) as Dataset[];
    assert.deepEqual(inSeries.map((i) => value(i, '00080018')), byNumber.map((i) => i.sopInstanceUid));
    const inStudy = (await client.searchForInstances({ studyInstanceUID: studyUid })) as Dataset[];
    assert.equal(inStudy.length, 4);
    const page = (await client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: ctSeries, queryParams: { limit: 2, offset: 1 } })) as Dataset[];
    assert.deepEqual(page.map((i) => value(i, '00080018')), byNumber.slice(1).map((i) => i.sopInstanceUid));
    const top = (await client.searchForInstances({ queryParams: { SOPInstanceUID: mr.sopInstanceUid } })) as Dataset[];
    assert.equal(top.length, 1);
    assert.equal(
      value(top[0], '00081190'),
      `${server.httpUrl}/dicomweb/studies/${studyUid}/series/${mrSeries}/instances/${mr.sopInstanceUid}`,
    );
  });

  it('retrieves the study, a series and an instance: explicit VR LE as stored, the JPEG one decoded (PS3.18 8.7.3.5.2)', async () => {
    const studyParts = (await client.retrieveStudy({ studyInstanceUID: studyUid })) as ArrayBuffer[];
    assert.deepEqual(studyParts.slice(0, byNumber.length).map(hex), byNumber.map((i) => i.bytes.toString('hex')));
    const seriesParts = (await client.retrieveSeries({ studyInstanceUID: studyUid, seriesInstanceUID: ctSeries })) as ArrayBuffer[];
    assert.deepEqual(seriesParts.map(hex), byNumber.map((i) => i.bytes.toString('hex')));
    const one = Buffer.from((await client.retrieveInstance({ studyInstanceUID: studyUid, seriesInstanceUID: mrSeries, sopInstanceUID: mr.sopInstanceUid })) as ArrayBuffer);
    assert.ok(one.equals(Buffer.from(studyParts[byNumber.length])), 'the study part and the instance are the same decoded bytes');
    const dict = data.DicomMessage.readFile(one.buffer.slice(one.byteOffset, one.byteOffset + one.length) as ArrayBuffer);
    assert.deepEqual(dict.meta['00020010'].Value, [TransferSyntax.ExplicitLittleEndian]);
    assert.deepEqual(dict.dict['00080018'].Value, [mr.sopInstanceUid]);
    assert.deepEqual(dict.dict['00280004'].Value, ['RGB']);
  });

  it('reads metadata of the study, a series and an instance, with Pixel Data as a BulkDataURI', async () => {
    const studyMeta = (await client.retrieveStudyMetadata({ studyInstanceUID: studyUid })) as Dataset[];
    assert.deepEqual(studyMeta.map((d) => value(d, '00080018')), [...byNumber, mr].map((i) => i.sopInstanceUid));
    const seriesMeta = (await client.retrieveSeriesMetadata({ studyInstanceUID: studyUid, seriesInstanceUID: ctSeries })) as Dataset[];
    assert.deepEqual(seriesMeta.map((d) => value(d, '00200013')), [1, 2, 3]);
    for (const d of seriesMeta) {
      assert.deepEqual(value(d, '00100010'), { Alphabetic: 'MÜLLER^ANNA^MARIA' });
      assert.equal(value(d, '00280010'), 64);
      assert.equal(value(d, '00083002'), TransferSyntax.ExplicitLittleEndian);
      const sop = value(d, '00080018');
      assert.equal(d['7FE00010'].vr, 'OW');
      assert.equal(d['7FE00010'].BulkDataURI, `${server.httpUrl}/dicomweb/studies/${studyUid}/series/${ctSeries}/instances/${sop}/bulkdata/7FE00010`);
      assert.equal(d['7FE00010'].Value, undefined);
    }
    const [instanceMeta] = (await client.retrieveInstanceMetadata({
      studyInstanceUID: studyUid,
      seriesInstanceUID: mrSeries,
      sopInstanceUID: mr.sopInstanceUid,
    })) as Dataset[];
    assert.equal(value(instanceMeta, '00080060'), 'MR');
    assert.equal(value(instanceMeta, '00083002'), TransferSyntax.JpegBaseline);
    assert.equal(instanceMeta['7FE00010'].vr, 'OB', 'encapsulated Pixel Data is OB (PS3.5 A.4)');
    assert.match(String(instanceMeta['7FE00010'].BulkDataURI), new RegExp(`/instances/${mr.sopInstanceUid}/bulkdata/7FE00010$`));
  });
});

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function hex(part: ArrayBuffer): string {
  return Buffer.from(part).toString('hex');
}
