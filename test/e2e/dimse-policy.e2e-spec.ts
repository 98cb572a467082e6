// DIMSE AE policy per peer and per service, with DCMTK: an unknown AE is rejected, a peer is
// refused each service it lacks (status 0x0124), and with PACS_DIMSE_CHECK_HOST an AE title is
// accepted only from its peer's host (A-ASSOCIATE-RJ calling AE not recognized, PS3.8 9.3.4).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DcmtkResult, echoscu, storescu } from '../support/dcmtk';
import { writeInstance } from '../support/generator';
import { startTestServer, TestServer, waitForLog } from '../support/server';

describe('DIMSE policy: rights per service and the host check', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-policy-'));

  before(async () => {
    server = await startTestServer({
      env: { PACS_DIMSE_CHECK_HOST: 'true' },
      peers: [
        { aeTitle: 'FULL', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'NAMED', host: 'localhost', port: 11113, services: ['echo'] },
        { aeTitle: 'STOREONLY', host: '127.0.0.1', port: 11113, services: ['store'] },
        { aeTitle: 'ECHOONLY', host: '127.0.0.1', port: 11113, services: ['echo'] },
        { aeTitle: 'ELSEWHERE', host: '192.0.2.10', port: 104, services: ['echo', 'store'] },
      ],
    });
  });
  after(async () => {
    await server?.stop();
  });

  const echoed = (res: DcmtkResult) => /Received Echo Response \(Success\)/.test(res.stdout + res.stderr);
  const storeOne = async (callingAe: string) => {
    const file = join(dir, `${callingAe}.dcm`);
    writeInstance(file, { patientId: `POLICY-${callingAe}` });
    return (await storescu(server.dimsePort, [file], { callingAe })).statuses;
  };

  // One row per (peer, service): find and move rows join here as those services land.
  const RIGHTS: { ae: string; service: string; allowed: boolean; run: (ae: string) => Promise<boolean> }[] = [
    { ae: 'FULL', service: 'echo', allowed: true, run: async (ae) => echoed(await echoscu(server.dimsePort, { callingAe: ae })) },
    { ae: 'STOREONLY', service: 'echo', allowed: false, run: async (ae) => echoed(await echoscu(server.dimsePort, { callingAe: ae })) },
    { ae: 'FULL', service: 'store', allowed: true, run: async (ae) => (await storeOne(ae))[0] === '0x0000' },
    { ae: 'ECHOONLY', service: 'store', allowed: false, run: async (ae) => (await storeOne(ae))[0] === '0x0000' },
  ];

  for (const row of RIGHTS) {
    it(`${row.allowed ? 'lets' : 'refuses'} ${row.ae} ${row.service}`, async () => {
      assert.equal(await row.run(row.ae), row.allowed);
    });
  }

  it('refuses store without the right with status 0x0124 (Refused: Not Authorized)', async () => {
    assert.deepEqual(await storeOne('ECHOONLY'), ['0x0124']);
  });

  it('rejects an unknown calling AE title', async () => {
    const res = await echoscu(server.dimsePort, { callingAe: 'STRANGER' });
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /Calling AE Title Not Recognized/i);
  });

  it('rejects a known AE title from another host than its peer entry (host check)', async () => {
    const res = await echoscu(server.dimsePort, { callingAe: 'ELSEWHERE' });
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /Calling AE Title Not Recognized/i);
    assert.ok(await waitForLog(server, /host check/), 'the rejection names the host check');
  });

  it('accepts a peer whose host is a name resolving to the caller (localhost)', async () => {
    const res = await echoscu(server.dimsePort, { callingAe: 'NAMED' });
    assert.equal(res.code, 0, res.stdout + res.stderr);
  });
});
