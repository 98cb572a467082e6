// Remote archives: our C-FIND SCU (GET /api/remote/{aeTitle}/studies) against a real Q/R SCP —
// the server itself, registered as its own peer, so the query crosses a real association.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storescu } from '../support/dcmtk';
import { generateStudy } from '../support/generator';
import { http } from '../support/http';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';

describe('remote archives: C-FIND SCU', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-remote-'));
  const older = generateStudy(join(dir, 'older'), { series: 1, instancesPerSeries: 1, patientId: 'RMT-1', studyDate: '20200101' });
  const newer = generateStudy(join(dir, 'newer'), { series: 1, instancesPerSeries: 2, patientId: 'RMT-1', studyDate: '20240101' });
  const other = generateStudy(join(dir, 'other'), { series: 1, instancesPerSeries: 1, patientId: 'RMT-2', studyDate: '20240101' });

  before(async () => {
    const dimsePort = await freePort();
    const closedPort = await freePort();
    server = await startTestServer({
      env: { PACS_DIMSE_PORT: String(dimsePort) },
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'PACS', host: '127.0.0.1', port: dimsePort, services: ['find', 'move', 'store'] },
        { aeTitle: 'GONE', host: '127.0.0.1', port: closedPort, services: ['find'] },
      ],
    });
    const stored = await storescu(server.dimsePort, [...older.files, ...newer.files, ...other.files]);
    assert.deepEqual(stored.statuses, Array(4).fill('0x0000'), stored.stderr);
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  it('returns the matching studies of the remote as DICOM JSON', async () => {
    const res = await http(`${server.httpUrl}/api/remote/PACS/studies?PatientID=RMT-1`, { token });
    assert.equal(res.status, 200, res.body.toString());
    const studies = JSON.parse(res.body.toString()) as Record<string, { vr: string; Value?: unknown[] }>[];
    const byUid = new Map(studies.map((s) => [s['0020000D']?.Value?.[0], s]));
    assert.deepEqual([...byUid.keys()].sort(), [older.studyUid, newer.studyUid].sort());
    assert.deepEqual(byUid.get(newer.studyUid)?.['00080020'], { vr: 'DA', Value: ['20240101'] });
    assert.deepEqual(byUid.get(newer.studyUid)?.['00201208']?.Value, [2]);
  });

  it('answers 404 for an AE title that is no registered peer', async () => {
    const res = await http(`${server.httpUrl}/api/remote/NOBODY/studies`, { token });
    assert.equal(res.status, 404, res.body.toString());
  });

  it('answers 502 when the remote cannot be reached', async () => {
    const res = await http(`${server.httpUrl}/api/remote/GONE/studies?PatientID=RMT-1`, { token });
    assert.equal(res.status, 502, res.body.toString());
    assert.match(res.body.toString(), /GONE/);
  });

  it('needs a token', async () => {
    const res = await http(`${server.httpUrl}/api/remote/PACS/studies`);
    assert.equal(res.status, 401);
  });
});
