// `pacs export` writes studies as DICOM media (a DICOMDIR and its files) that DCMTK reads, with
// an Export audit event; `pacs import` of such a medium takes exactly the files its DICOMDIR
// references, whatever case and ISO 9660 version suffix a CD shows their names in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runDcmtk, storescu } from '../support/dcmtk';
import { filesBelow } from '../support/files';
import { generateStudy } from '../support/generator';
import { http } from '../support/http';
import { runPacs } from '../support/pacs-cli';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';

/** A server whose embedded PostgreSQL the `pacs` command can attach to, and the CLI's environment for it. */
async function serverWithCli(): Promise<{ server: TestServer; cliEnv: Record<string, string> }> {
  const pgPort = String(await freePort());
  const server = await startTestServer({ env: { PACS_EMBEDDED_PG_PORT: pgPort } });
  return { server, cliEnv: { PACS_DATA_DIR: server.dataDir, PACS_EMBEDDED_PG_PORT: pgPort } };
}

describe('DICOM media from the command line', () => {
  let archive: TestServer;
  let archiveCli: Record<string, string>;
  let token: string;
  const studies = [1, 2].map((n) => generateStudy(mkdtempSync(join(tmpdir(), 'pacs-media-')), { series: 2, instancesPerSeries: 2, patientId: `MEDIA-${n}` }));
  const medium = join(mkdtempSync(join(tmpdir(), 'pacs-medium-')), 'CD');

  before(async () => {
    ({ server: archive, cliEnv: archiveCli } = await serverWithCli());
    token = await archive.token();
    for (const study of studies) assert.deepEqual((await storescu(archive.dimsePort, study.files)).statuses, study.files.map(() => '0x0000'));
  });

  after(() => archive?.stop());

  it('exports two studies into a folder DCMTK reads as media, and audits the export', async () => {
    const run = await runPacs(['export', medium, '--study', studies[0].studyUid, studies[1].studyUid, '--no-progress'], archiveCli);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /exported: 8 files and a DICOMDIR/);
    const files = filesBelow(join(medium, 'DICOM'));
    assert.equal(files.length, 8);
    const dump = await runDcmtk('dcmdump', ['+P', '0004,1511', join(medium, 'DICOMDIR')]);
    for (const uid of studies.flatMap((s) => s.sopInstanceUids)) assert.ok(dump.stdout.includes(uid), `DICOMDIR lists ${uid}`);
    const events = await http(`${archive.httpUrl}/api/audit?action=110106`, { token });
    const exported = events.json<{ items: { patientId: string; studyUids: string[]; actor: string }[] }>().items;
    assert.deepEqual(exported.map((e) => e.patientId).sort(), ['MEDIA-1', 'MEDIA-2']);
    assert.ok(exported.every((e) => e.actor === 'cli'));

    const again = await runPacs(['export', medium, '--study', studies[0].studyUid, '--no-progress'], archiveCli);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not empty/);
  });

  it('imports the medium into another archive through its DICOMDIR, as a CD shows it', async () => {
    // A CD mounted without Rock Ridge shows lower-case names with a version suffix; it also
    // carries files that are no part of the file-set.
    const [first] = filesBelow(join(medium, 'DICOM'));
    renameSync(first, join(dirname(first), `${basename(first).toLowerCase()};1`));
    writeFileSync(join(medium, 'AUTORUN.INF'), '[autorun]\nopen=viewer.exe\n');
    const { server: other, cliEnv } = await serverWithCli();
    try {
      const run = await runPacs(['import', medium, '--no-progress'], cliEnv);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /stored: 8\nduplicates: 0\nfailed: 0\nskipped: 2\n/);
      assert.match(run.stdout, /AUTORUN\.INF: not referenced by the DICOMDIR/);
      const otherToken = await other.token();
      for (const study of studies) {
        const found = await http(`${other.httpUrl}/dicomweb/studies?StudyInstanceUID=${study.studyUid}&includefield=00201208`, { token: otherToken });
        assert.equal(found.json()[0]['00201208'].Value[0], 4);
      }
    } finally {
      await other.stop();
    }
  });
});
