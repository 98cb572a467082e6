// Issue 27, defects 5 and 6: what old modalities and archives send is stored, and every response
// path can return it. A corpus of legacy and malformed values in every VR (pre-3.0 DA/TM, a DT
// made of them, over-long LO/SH/PN/CS/IS, leading spaces, NUL padding, a trailing NUL in texts,
// an embedded NUL, also inside a sequence item) is written byte for byte into two instances
// (explicit and implicit VR), stored with storescu, then asked for through C-FIND at every
// level, C-MOVE, C-GET (as stored and transcoded), QIDO-RS, metadata, WADO-RS and rendered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findscu, getscu, movescu, QrResult, runDcmtk, startStorescp, Storescp, storescu } from '../support/dcmtk';
import { buildInstance, newUid, TransferSyntax } from '../support/generator';
import { http, parseMultipart, value } from '../support/http';
import { freePort } from '../support/ports';
import { encodeElement, encodeSequence, RawElement, withRawElements } from '../support/raw-elements';
import { startTestServer, TestServer } from '../support/server';

/** Six components, the first longer than the 64 characters PS3.5 6.2 allows a PN component. */
const LONG_NAME = `${'VERYLONGFAMILYNAME'.repeat(4)}^JOHN^Q^DR^JR^EXTRA`;
const LONG_INSTITUTION = 'INSTITUTION-'.repeat(7);

/** The corpus: each value exactly as an old sender wrote it. */
const LEGACY: RawElement[] = [
  { tag: '00080020', vr: 'DA', value: '1997.04.24' }, // Study Date, pre-3.0 form
  { tag: '00080021', vr: 'DA', value: '1997.04.24' }, // Series Date
  { tag: '00080023', vr: 'DA', value: '1997.04.24' }, // Content Date
  { tag: '0008002A', vr: 'DT', value: '1997.04.24 10:20:30 ' }, // Acquisition DateTime from legacy parts
  { tag: '00080030', vr: 'TM', value: '10:20:30' }, // Study Time, pre-3.0 form
  { tag: '00080031', vr: 'TM', value: '10:20:30.123' }, // Series Time with a fraction
  { tag: '00080033', vr: 'TM', value: '10:20 ' }, // Content Time hh:mm
  { tag: '00080050', vr: 'SH', value: '  ACC-LEGACY' }, // Accession Number, leading spaces
  { tag: '00080060', vr: 'CS', value: 'CT\0\0' }, // Modality, NUL padding
  { tag: '00080080', vr: 'LO', value: LONG_INSTITUTION }, // 84 characters in an LO (64)
  { tag: '00080081', vr: 'ST', value: 'MAIN ST 1\0' }, // Institution Address, trailing NUL
  { tag: '00080090', vr: 'PN', value: `${LONG_NAME} ` }, // Referring Physician: too long, too many components
  { tag: '00081010', vr: 'SH', value: 'STATION-NAME-TOO-LONG-FOR-SH' }, // 28 characters in an SH (16)
  { tag: '00081030', vr: 'LO', value: 'OLD STUDY\0' }, // Study Description, trailing NUL
  { tag: '0008103E', vr: 'LO', value: 'AXIAL\0SOFT' }, // Series Description, embedded NUL
  { tag: '00100030', vr: 'DA', value: '1950.01.31' }, // Patient's Birth Date
  { tag: '00100040', vr: 'CS', value: 'M\0' }, // Patient's Sex, NUL padding
  { tag: '00104000', vr: 'LT', value: 'FIRST\0SECOND' }, // Patient Comments, embedded NUL
  { tag: '00180015', vr: 'CS', value: 'ABDOMENPELVISCHEST' }, // 18 characters in a CS (16)
  { tag: '00200013', vr: 'IS', value: '0000000000001 ' }, // 13 digits in an IS (12)
];

/** Procedure Code Sequence whose Code Meaning carries an embedded NUL. */
function procedureCode(explicit: boolean): Buffer {
  const item = Buffer.concat([
    encodeElement({ tag: '00080100', vr: 'SH', value: 'CT01' }, explicit),
    encodeElement({ tag: '00080102', vr: 'SH', value: 'L ' }, explicit),
    encodeElement({ tag: '00080104', vr: 'LO', value: 'CT\0CHEST' }, explicit),
  ]);
  return encodeSequence('00081032', [item], explicit);
}

/** The data set of a Part 10 file: what follows preamble, "DICM" and the File Meta group (PS3.10 7.1). */
function datasetBytes(file: Buffer): Buffer {
  return file.subarray(144 + file.readUInt32LE(140));
}

const NOT_ABORTED = /abort/i;

describe('Legacy and malformed values: stored as received, answered on every path', () => {
  let server: TestServer;
  let storescp: Storescp;
  let token: string;
  let stored: string[][];
  const dir = mkdtempSync(join(tmpdir(), 'pacs-legacy-'));
  const moveDir = join(dir, 'moved');
  const studyUid = newUid();
  const make = (transferSyntaxUid: string, name: string) => {
    const built = buildInstance({ studyUid, seriesUid: newUid(), patientId: 'LEGACY-1', patientName: 'OLD^ARCHIVE', transferSyntaxUid });
    const explicit = transferSyntaxUid !== TransferSyntax.ImplicitLittleEndian;
    const bytes = withRawElements(built.bytes, LEGACY, { '00081032': procedureCode(explicit) });
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return { ...built, bytes, file };
  };
  const explicitOne = make(TransferSyntax.ExplicitLittleEndian, 'explicit.dcm');
  const implicitOne = make(TransferSyntax.ImplicitLittleEndian, 'implicit.dcm');
  const both = [explicitOne, implicitOne];
  const web = (path: string) => `${server.httpUrl}/dicomweb${path}`;
  const port = () => server.dimsePort;

  before(async () => {
    const destPort = await freePort();
    server = await startTestServer({
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'DEST', host: '127.0.0.1', port: destPort, services: ['store'] },
      ],
    });
    token = await server.token();
    mkdirSync(moveDir);
    storescp = await startStorescp(destPort, moveDir, 'DEST', { extraArgs: ['+B'] }); // files exactly as received
    // Each file in its own syntax: storescu converts nothing, the server receives these very bytes.
    stored = [
      (await storescu(port(), [explicitOne.file], { extraArgs: ['-xe'] })).statuses,
      (await storescu(port(), [implicitOne.file], { extraArgs: ['-xi'] })).statuses,
    ];
  });
  after(async () => {
    await storescp?.stop();
    await server?.stop();
  });

  const assertAnswered = (res: QrResult) => {
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.status, '0x0000', res.stdout + res.stderr);
    assert.doesNotMatch(res.stdout + res.stderr, NOT_ABORTED);
  };

  it('accepts instances with legacy dates, over-long values, NUL padding and embedded NULs (C-STORE 0x0000)', () => {
    assert.deepEqual(stored, [['0x0000'], ['0x0000']]);
  });

  it('C-FIND STUDY finds the study received as 1997.04.24 by StudyDate=19970424 and by a range, and returns it normalized', async () => {
    const keys = ['0008,0052=STUDY', '0010,0020=LEGACY-1', '0008,0030', '0010,0030', '0010,0040', '0008,0050', '0008,0090', '0008,1030'];
    for (const date of ['19970424', '19970101-19971231', '-19970424']) {
      const res = await findscu(port(), { keys: [...keys, `0008,0020=${date}`] });
      assertAnswered(res);
      assert.equal(res.matches.length, 1, date);
      const m = res.matches[0];
      assert.equal(m['(0020,000d)'], studyUid);
      assert.equal(m['(0008,0020)'], '19970424');
      assert.equal(m['(0008,0030)'], '102030');
      assert.equal(m['(0010,0030)'], '19500131');
      assert.equal(m['(0010,0040)'], 'M');
      assert.equal(m['(0008,0050)'], 'ACC-LEGACY');
      assert.equal(m['(0008,0090)'], LONG_NAME, 'an over-long name is sent as stored');
      assert.equal(m['(0008,1030)'], 'OLD STUDY');
    }
  });

  it('C-FIND SERIES matches SeriesDate=19970424 and returns over-long values as stored, an embedded NUL as a space', async () => {
    const res = await findscu(port(), {
      keys: ['0008,0052=SERIES', `0020,000D=${studyUid}`, '0008,0021=19970424', '0008,0031', '0008,0060', '0008,0080', '0008,1010', '0008,103E', '0018,0015'],
    });
    assertAnswered(res);
    assert.deepEqual(res.matches.map((m) => m['(0020,000e)']).sort(), both.map((b) => b.seriesUid).sort());
    for (const m of res.matches) {
      assert.equal(m['(0008,0031)'], '102030.123');
      assert.equal(m['(0008,0060)'], 'CT');
      assert.equal(m['(0008,0080)'], LONG_INSTITUTION);
      assert.equal(m['(0008,1010)'], 'STATION-NAME-TOO-LONG-FOR-SH');
      assert.equal(m['(0008,103e)'], 'AXIAL SOFT');
      assert.equal(m['(0018,0015)'], 'ABDOMENPELVISCHEST');
    }
  });

  it('C-FIND IMAGE returns content date, time and a date-time normalized, in both roots', async () => {
    for (const root of ['study', 'patient'] as const) {
      const res = await findscu(port(), {
        root,
        keys: ['0008,0052=IMAGE', '0010,0020=LEGACY-1', `0020,000D=${studyUid}`, `0020,000E=${explicitOne.seriesUid}`, '0008,0023=19970424', '0008,0033', '0008,002A', '0020,0013', '0010,4000'],
      });
      assertAnswered(res);
      assert.equal(res.matches.length, 1, root);
      const m = res.matches[0];
      assert.equal(m['(0008,0033)'], '1020');
      assert.equal(m['(0008,002a)'], '19970424102030');
      assert.equal(m['(0020,0013)'], '1');
      assert.equal(m['(0010,4000)'], 'FIRST SECOND');
    }
  });

  it('C-MOVE sends both instances to the destination with the data set bytes as stored', async () => {
    const res = await movescu(port(), 'DEST', { keys: ['0008,0052=STUDY', `0020,000D=${studyUid}`] });
    assertAnswered(res);
    const received = readdirSync(moveDir);
    for (const instance of both) {
      const name = received.find((f) => f.endsWith(instance.sopInstanceUid));
      assert.ok(name, `instance ${instance.sopInstanceUid} arrived: ${storescp.logs()}`);
      assert.ok(datasetBytes(readFileSync(join(moveDir, name))).equals(datasetBytes(instance.bytes)));
    }
  });

  /**
   * C-GET into `into` (files exactly as received): each instance arrives, in its stored syntax
   * with the stored data set bytes, otherwise transcoded with its values as stored. Returns how
   * many were transcoded.
   */
  const getStudy = async (into: string, extraArgs: string[]): Promise<number> => {
    mkdirSync(into);
    const res = await getscu(port(), into, { keys: ['0008,0052=STUDY', `0020,000D=${studyUid}`], extraArgs: ['+B', ...extraArgs] });
    assertAnswered(res);
    let transcoded = 0;
    for (const instance of both) {
      const name = readdirSync(into).find((f) => f.endsWith(instance.sopInstanceUid));
      assert.ok(name, `instance ${instance.sopInstanceUid} arrived`);
      const dump = (await runDcmtk('dcmdump', ['+L', '-Un', join(into, name)])).stdout;
      if (dump.includes(`(0002,0010) UI =${instance.transferSyntaxUid}`) || dump.includes(`(0002,0010) UI [${instance.transferSyntaxUid}]`)) {
        assert.ok(datasetBytes(readFileSync(join(into, name))).equals(datasetBytes(instance.bytes)), `bytes of ${instance.sopInstanceUid}`);
        continue;
      }
      transcoded++;
      assert.match(dump, /\(0008,0020\) DA \[1997\.04\.24\]/, 'values leave as stored');
      assert.match(dump, new RegExp(`\\(0008,0080\\) LO \\[${LONG_INSTITUTION}\\]`));
    }
    return transcoded;
  };

  it('C-GET returns both instances, as stored or transcoded for the syntax the peer takes', async () => {
    await getStudy(join(dir, 'got'), []);
    assert.equal(await getStudy(join(dir, 'got-implicit'), ['+xi']), 1, 'the explicit VR instance is transcoded for an implicit-only peer');
  });

  it('QIDO-RS finds the study by StudyDate=19970424 and by a range, and returns values normalized or as stored', async () => {
    for (const date of ['19970424', '19970101-19971231']) {
      const res = await http(web(`/studies?StudyDate=${date}&PatientID=LEGACY-1&includefield=00081032`), { token });
      assert.equal(res.status, 200, res.body.toString());
      const [study] = res.json();
      assert.equal(value(study, '0020000D'), studyUid);
      assert.equal(value(study, '00080020'), '19970424');
      assert.equal(value(study, '00080030'), '102030');
      assert.equal(value(study, '00100030'), '19500131');
      assert.equal(value(study, '00080050'), 'ACC-LEGACY');
      assert.deepEqual(value(study, '00080090'), { Alphabetic: LONG_NAME });
      assert.equal(value((value(study, '00081032') as Record<string, { Value?: unknown[] }>), '00080104'), 'CT CHEST');
    }
    const series = await http(web(`/studies/${studyUid}/series?SeriesDate=19970424&includefield=00080031,0008103E`), { token });
    assert.equal(series.status, 200);
    assert.equal(series.json().length, 2);
    for (const s of series.json()) {
      assert.equal(value(s, '00080031'), '102030.123');
      assert.equal(value(s, '0008103E'), 'AXIAL SOFT');
    }
    const instances = await http(web(`/studies/${studyUid}/instances?ContentDate=19970424&includefield=all`), { token });
    assert.equal(instances.status, 200);
    assert.equal(instances.json().length, 2);
    for (const i of instances.json()) assert.equal(value(i, '0008002A'), '19970424102030');
  });

  it('WADO-RS metadata returns every instance header normalized, with no NUL', async () => {
    const res = await http(web(`/studies/${studyUid}/metadata`), { token });
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('\\u0000'), 'no NUL in the JSON');
    const headers = res.json();
    assert.equal(headers.length, 2);
    for (const h of headers) {
      assert.equal(value(h, '00080020'), '19970424');
      assert.equal(value(h, '00080033'), '1020');
      assert.equal(value(h, '00080060'), 'CT');
      assert.equal(value(h, '00080080'), LONG_INSTITUTION);
      assert.equal(value(h, '00080081'), 'MAIN ST 1');
      assert.equal(value(h, '0008103E'), 'AXIAL SOFT');
      assert.equal(value(h, '00104000'), 'FIRST SECOND');
      assert.equal(value(h, '00200013'), 1);
    }
  });

  it('WADO-RS returns each instance with its data set as stored, and transcodes the implicit one with its values as stored', async () => {
    for (const instance of both) {
      const path = web(`/studies/${studyUid}/series/${instance.seriesUid}/instances/${instance.sopInstanceUid}`);
      const res = await http(path, { token, headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
      assert.equal(res.status, 200);
      assert.ok(datasetBytes(parseMultipart(res.body, res.headers.get('content-type') ?? '')[0].body).equals(datasetBytes(instance.bytes)));
    }
    const path = web(`/studies/${studyUid}/series/${implicitOne.seriesUid}/instances/${implicitOne.sopInstanceUid}`);
    const explicit = TransferSyntax.ExplicitLittleEndian;
    const res = await http(path, { token, headers: { accept: `multipart/related; type="application/dicom"; transfer-syntax=${explicit}` } });
    assert.equal(res.status, 200, res.body.toString().slice(0, 300));
    const [part] = parseMultipart(res.body, res.headers.get('content-type') ?? '');
    assert.ok(part.body.includes('DA\n\x001997.04.24', 0, 'latin1'), 'StudyDate as stored, in explicit VR');
  });

  it('renders both instances and their thumbnails', async () => {
    for (const instance of both) {
      const path = web(`/studies/${studyUid}/series/${instance.seriesUid}/instances/${instance.sopInstanceUid}`);
      for (const resource of ['rendered', 'thumbnail']) {
        const res = await http(`${path}/${resource}`, { token, headers: { accept: 'image/jpeg' } });
        assert.equal(res.status, 200, `${resource}: ${res.body.toString().slice(0, 300)}`);
        assert.equal(res.headers.get('content-type'), 'image/jpeg');
      }
    }
  });

  it('keeps serving queries after all of that', async () => {
    const res = await findscu(port(), { keys: ['0008,0052=STUDY', `0020,000D=${studyUid}`, '0008,0020'] });
    assertAnswered(res);
    assert.equal(res.matches[0]['(0008,0020)'], '19970424');
  });
});
