// Query/Retrieve over DIMSE end to end with DCMTK: findscu at every level of both roots
// (counts, returned keys, wildcard, ranges, UID lists, sequence and Latin-1 matching, C-CANCEL,
// failure statuses), movescu to a storescp the test starts, getscu, and the AE-policy rights.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { findscu, getscu, movescu, runDcmtk, startStorescp, Storescp, storescu } from '../support/dcmtk';
import { generateStudy } from '../support/generator';
import { freePort } from '../support/ports';
import { pduHeader } from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';

/** The data set of a Part 10 file: what follows preamble, "DICM" and the File Meta group (PS3.10 7.1). */
function datasetBytes(file: Buffer): Buffer {
  let at = 132;
  while (file.readUInt16LE(at) === 0x0002) {
    const vr = file.toString('latin1', at + 4, at + 6);
    at += ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr) ? 12 + file.readUInt32LE(at + 8) : 8 + file.readUInt16LE(at + 6);
  }
  return file.subarray(at);
}

describe('Query/Retrieve over DIMSE: C-FIND, C-MOVE, C-GET with DCMTK', () => {
  let server: TestServer;
  let storescp: Storescp;
  let forking: Storescp;
  let hostile: Server;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-qr-'));
  const moveDir = join(dir, 'moved');
  const parallelDir = join(dir, 'moved-parallel');
  const procedure = [{ CodeValue: 'PC-77', CodingSchemeDesignator: 'L', CodeMeaning: 'Procedure' }];
  const a = generateStudy(join(dir, 'a'), {
    series: 2, instancesPerSeries: 2, patientId: 'QR-1', patientName: 'DOE^JOHN', studyDate: '20240115',
    accessionNumber: 'ACC-A', extra: { ProcedureCodeSequence: procedure },
  });
  const b = generateStudy(join(dir, 'b'), { series: 1, instancesPerSeries: 1, patientId: 'QR-2', patientName: 'SMITH^ANNA', studyDate: '20250301' });
  const c = generateStudy(join(dir, 'c'), {
    series: 1, instancesPerSeries: 1, patientId: 'QR-3', patientName: 'MÜLLER^JÜRGEN', studyDate: '20230101', specificCharacterSet: 'ISO_IR 100',
  });

  // Many small instances, for C-MOVE and C-GET over several associations.
  const many = generateStudy(join(dir, 'many'), { series: 1, instancesPerSeries: 60, rows: 0, patientId: 'QR-4', studyDate: '20100101' });
  // More matches than one page of the index (200), so a C-CANCEL arrives while responses are
  // still being sent however fast they go: 16 go out per turn of the event loop.
  const cancelled = generateStudy(join(dir, 'cancelled'), { series: 1, instancesPerSeries: 250, rows: 0, patientId: 'QR-5', studyDate: '20100102' });

  before(async () => {
    const destPort = await freePort();
    const forkingPort = await freePort();
    const hostilePort = await freePort();
    // A move destination that answers the A-ASSOCIATE-RQ with a PDU declaring 2 GB (PS3.8 D.1 bounds it).
    hostile = createServer((socket) => socket.on('error', () => undefined).end(Buffer.concat([pduHeader(0x02, 0x7fff_fff0), Buffer.alloc(1024)])));
    await new Promise<void>((resolve) => hostile.listen(hostilePort, '127.0.0.1', resolve));
    server = await startTestServer({
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'DEST', host: '127.0.0.1', port: destPort, services: ['store'] },
        // The same one-association-at-a-time storescp, asked for two associations per C-MOVE.
        { aeTitle: 'DEST2', host: '127.0.0.1', port: destPort, services: ['store'], moveAssociations: 2 },
        { aeTitle: 'FORKING', host: '127.0.0.1', port: forkingPort, services: ['store'], moveAssociations: 3 },
        { aeTitle: 'NOQR', host: '127.0.0.1', port: 11115, services: ['echo', 'store'] },
        { aeTitle: 'HOSTILE', host: '127.0.0.1', port: hostilePort, services: ['store'] },
      ],
    });
    mkdirSync(moveDir);
    storescp = await startStorescp(destPort, moveDir, 'DEST');
    mkdirSync(parallelDir);
    forking = await startStorescp(forkingPort, parallelDir, 'FORKING', { fork: true });
    const stored = await storescu(server.dimsePort, [...a.files, ...b.files, ...c.files, ...many.files, ...cancelled.files]);
    assert.deepEqual(stored.statuses, Array(316).fill('0x0000'), stored.stderr);
  });
  after(async () => {
    await storescp?.stop();
    await forking?.stop();
    hostile?.close();
    await server?.stop();
  });

  const port = () => server.dimsePort;
  const ours = new Set([a.studyUid, b.studyUid, c.studyUid]);

  it('finds a patient at PATIENT level of the Patient Root model with its related-study count', async () => {
    const res = await findscu(port(), { root: 'patient', keys: ['0008,0052=PATIENT', '0010,0020=QR-1', '0010,0010', '0020,1200'] });
    assert.equal(res.status, '0x0000', res.stdout);
    assert.equal(res.matches.length, 1);
    assert.equal(res.matches[0]['(0010,0010)'], 'DOE^JOHN');
    assert.equal(res.matches[0]['(0020,1200)'], '1');
  });

  it('matches studies by wildcard name and returns only the requested keys plus the unique key', async () => {
    const res = await findscu(port(), { keys: ['0008,0052=STUDY', '0010,0010=doe*', '0008,0020', '0020,1208'] });
    assert.equal(res.status, '0x0000');
    assert.equal(res.matches.length, 1);
    const m = res.matches[0];
    assert.equal(m['(0020,000d)'], a.studyUid);
    assert.equal(m['(0020,1208)'], '4');
    assert.equal(m['(0008,0020)'], '20240115');
    assert.equal(m['(0008,0050)'], undefined, 'Accession Number was not asked for');
    assert.deepEqual(Object.keys(m).sort(), ['(0008,0020)', '(0008,0052)', '(0010,0010)', '(0020,000d)', '(0020,1208)']);
  });

  it('matches date ranges, closed and open at either end', async () => {
    const uids = async (range: string) =>
      (await findscu(port(), { keys: ['0008,0052=STUDY', `0008,0020=${range}`, '0020,000D'] })).matches
        .map((m) => m['(0020,000d)'])
        .filter((u) => ours.has(u))
        .sort();
    assert.deepEqual(await uids('20240101-20241231'), [a.studyUid]);
    assert.deepEqual(await uids('20240201-'), [b.studyUid]);
    assert.deepEqual(await uids('-20240201'), [a.studyUid, c.studyUid].sort());
  });

  it('lists the series of a study at SERIES level and the images of a UID list at IMAGE level (both roots)', async () => {
    const series = await findscu(port(), { keys: ['0008,0052=SERIES', `0020,000D=${a.studyUid}`, '0008,0060', '0020,0011'] });
    assert.equal(series.status, '0x0000');
    assert.deepEqual(series.matches.map((m) => m['(0020,000e)']).sort(), [...a.seriesUids].sort());
    assert.ok(series.matches.every((m) => m['(0008,0060)'] === 'CT'));
    const list = `0008,0018=${a.sopInstanceUids[0]}\\${a.sopInstanceUids[3]}`;
    for (const root of ['study', 'patient'] as const) {
      const keys = ['0008,0052=IMAGE', list, '0020,0013', ...(root === 'patient' ? ['0010,0020=QR-1'] : [])];
      const images = await findscu(port(), { root, keys });
      assert.equal(images.status, '0x0000', images.stdout);
      assert.deepEqual(images.matches.map((m) => m['(0008,0018)']).sort(), [a.sopInstanceUids[0], a.sopInstanceUids[3]].sort());
    }
  });

  it('matches on an item of a sequence (PS3.4 C.2.2.2.6)', async () => {
    const hit = await findscu(port(), { keys: ['0008,0052=STUDY', '0008,1032[0].0008,0100=PC-77', '0020,000D'] });
    assert.deepEqual(hit.matches.map((m) => m['(0020,000d)']), [a.studyUid]);
    const miss = await findscu(port(), { keys: ['0008,0052=STUDY', '0008,1032[0].0008,0100=NOPE', '0020,000D'] });
    assert.equal(miss.matches.length, 0);
  });

  it('matches a Latin-1 (ISO_IR 100) patient name and answers in ISO_IR 192', async () => {
    const dump = join(dir, 'latin1.txt');
    writeFileSync(dump, '(0008,0005) CS [ISO_IR 100]\n(0008,0052) CS [STUDY]\n(0010,0010) PN [MÜLLER*]\n(0020,000d) UI\n', 'latin1');
    const query = join(dir, 'latin1.dcm');
    const made = await runDcmtk('dump2dcm', [dump, query]);
    assert.equal(made.code, 0, made.stderr);
    const res = await findscu(port(), { queryFile: query });
    assert.equal(res.status, '0x0000', res.stdout);
    assert.equal(res.matches.length, 1);
    assert.equal(res.matches[0]['(0010,0010)'], 'MÜLLER^JÜRGEN');
    assert.equal(res.matches[0]['(0008,0005)'], 'ISO_IR 192');
    assert.equal(res.matches[0]['(0020,000d)'], c.studyUid);
  });

  it('stops a C-FIND on C-CANCEL with a final Cancel status', async () => {
    const res = await findscu(port(), { keys: ['0008,0052=IMAGE', '0010,0020=QR-5', '0008,0018'], extraArgs: ['--cancel', '1'] });
    assert.equal(res.status, '0xfe00', res.stdout);
    assert.ok(res.matches.length < 250, `got ${res.matches.length} matches after cancel`);
  });

  it('answers an unknown level, PATIENT in Study Root and a bad key value with 0xA900', async () => {
    assert.equal((await findscu(port(), { keys: ['0008,0052=WARD'] })).status, '0xa900');
    assert.equal((await findscu(port(), { keys: ['0008,0052=PATIENT', '0010,0020'] })).status, '0xa900');
    assert.equal((await findscu(port(), { keys: ['0008,0052=STUDY', '0008,0020=-'] })).status, '0xa900');
  });

  it('refuses find, move and get to a peer without those rights (0x0124)', async () => {
    const opts = { callingAe: 'NOQR', keys: ['0008,0052=STUDY', `0020,000D=${a.studyUid}`] };
    const find = await findscu(port(), opts);
    assert.equal(find.status, '0x0124', find.stdout + find.stderr);
    const move = await movescu(port(), 'DEST', opts);
    assert.equal(move.status, '0x0124', move.stdout + move.stderr);
    mkdirSync(join(dir, 'refused'));
    const get = await getscu(port(), join(dir, 'refused'), opts);
    assert.equal(get.status, '0x0124', get.stdout + get.stderr);
    assert.equal(readdirSync(join(dir, 'refused')).length, 0);
  });

  it('moves studies (UID list) to a storescp: every instance arrives with the data set bytes as stored', async () => {
    // Studies without sequences: storescp rewrites undefined-length sequences with explicit lengths.
    const res = await movescu(port(), 'DEST', { keys: ['0008,0052=STUDY', `0020,000D=${b.studyUid}\\${c.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    const received = readdirSync(moveDir);
    assert.equal(received.length, 2, storescp.logs());
    for (const [uid, file] of [[b.sopInstanceUids[0], b.files[0]], [c.sopInstanceUids[0], c.files[0]]]) {
      const name = received.find((f) => f.endsWith(uid));
      assert.ok(name, `instance ${uid} arrived`);
      assert.ok(datasetBytes(readFileSync(join(moveDir, name))).equals(datasetBytes(readFileSync(file))), `bytes of ${uid}`);
    }
  });

  it('moves a 4-instance study with a Pending response after the first sub-operation and the counts in the final one', async () => {
    const res = await movescu(port(), 'DEST', { keys: ['0008,0052=SERIES', `0020,000D=${a.studyUid}`, `0020,000E=${a.seriesUids.join('\\')}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    // Pending responses are sent after the first sub-operation, then at most one per 100 ms.
    const pending = res.statuses.filter((s) => s === '0xff00').length;
    assert.ok(pending >= 1 && pending <= 3, `${pending} pending responses`);
    const output = `${res.stdout}\n${res.stderr}`;
    assert.match(output, /Remaining Suboperations\s*:\s*3\b/);
    assert.match(output, /Completed Suboperations\s*:\s*4\b/);
    assert.equal(readdirSync(moveDir).length, 6);
  });

  it('gets a study over the same association (C-GET): every instance, bytes as stored', async () => {
    const getDir = join(dir, 'got');
    mkdirSync(getDir);
    const res = await getscu(port(), getDir, { keys: ['0008,0052=STUDY', `0020,000D=${a.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    const received = readdirSync(getDir);
    assert.equal(received.length, a.files.length);
    for (const [i, uid] of a.sopInstanceUids.entries()) {
      const name = received.find((f) => f.endsWith(uid));
      assert.ok(name, `instance ${uid} arrived`);
      assert.ok(datasetBytes(readFileSync(join(getDir, name))).equals(datasetBytes(readFileSync(a.files[i]))), `bytes of ${uid}`);
    }
  });

  it('aborts a move destination that sends an oversized PDU, logs it, and answers with a failure', async () => {
    const res = await movescu(port(), 'HOSTILE', { keys: ['0008,0052=STUDY', `0020,000D=${b.studyUid}`] });
    assert.equal(res.status, '0xa702', res.stdout);
    assert.ok(await waitForLog(server, /C-MOVE destination association aborted: too much data.*"destinationAe":"HOSTILE".*declares 2147483638 bytes/));
  });

  it('answers a move to an unknown destination with 0xA801', async () => {
    const res = await movescu(port(), 'NOWHERE', { keys: ['0008,0052=STUDY', `0020,000D=${b.studyUid}`] });
    assert.equal(res.status, '0xa801', res.stdout);
  });

  it('moves over three associations at once to a destination that takes them (moveAssociations 3)', async () => {
    // Studies without sequences: storescp rewrites undefined-length sequences with explicit lengths.
    const res = await movescu(port(), 'FORKING', { keys: ['0008,0052=STUDY', `0020,000D=${many.studyUid}\\${b.studyUid}\\${c.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    assert.match(`${res.stdout}\n${res.stderr}`, /Completed Suboperations\s*:\s*62\b/);
    const received = readdirSync(parallelDir);
    assert.equal(received.length, 62, forking.logs());
    assert.equal(forking.logs().match(/Association Acknowledged/g)?.length, 3, forking.logs());
    for (const [uid, file] of [[b.sopInstanceUids[0], b.files[0]], [c.sopInstanceUids[0], c.files[0]], [many.sopInstanceUids[59], many.files[59]]]) {
      const name = received.find((f) => f.endsWith(uid));
      assert.ok(name, `instance ${uid} arrived`);
      assert.ok(datasetBytes(readFileSync(join(parallelDir, name))).equals(datasetBytes(readFileSync(file))), `bytes of ${uid}`);
    }
  });

  it('moves everything over the first association to a destination that takes one at a time', async () => {
    const before = readdirSync(moveDir).length;
    const started = Date.now();
    const res = await movescu(port(), 'DEST2', { keys: ['0008,0052=STUDY', `0020,000D=${many.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    assert.match(`${res.stdout}\n${res.stderr}`, /Completed Suboperations\s*:\s*60\b/);
    assert.equal(readdirSync(moveDir).length, before + 60, storescp.logs());
    // The second association is answered only after the first is released: not waited for.
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});
