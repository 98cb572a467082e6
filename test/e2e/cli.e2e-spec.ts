// `pacs import` and `pacs users add`: the same ingest path as C-STORE, run as an admin would,
// both on a stopped server's data directory and beside a running server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports';
import { generateStudy, writeInstance } from '../support/generator';
import { http } from '../support/http';
import { runPacs } from '../support/pacs-cli';
import { storageEnv } from '../support/s3';
import { startTestServer } from '../support/server';

const pacs = runPacs;

describe('pacs command line', () => {
  it('imports a folder recursively with a summary of stored, duplicate, failed and skipped files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pacs-cli-'));
    chmodSync(dataDir, 0o755);
    const folder = mkdtempSync(join(tmpdir(), 'pacs-import-'));
    const study = generateStudy(join(folder, 'a', 'b'), { series: 2, instancesPerSeries: 3, patientId: 'CLI-1' });
    writeInstance(join(folder, 'c', 'single.dcm'), { patientId: 'CLI-2' });
    mkdirSync(join(folder, 'junk'));
    writeFileSync(join(folder, 'junk', 'notes.txt'), 'not a DICOM file');
    writeFileSync(join(folder, 'junk', 'DICOMDIR'), Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]));
    writeFileSync(join(folder, 'junk', 'truncated.dcm'), Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([2, 0, 0])]));
    const env = { PACS_DATA_DIR: dataDir, PACS_EMBEDDED_PG_PORT: String(await freePort()), PACS_ADMIN_PASSWORD: 'cli-admin-pw', ...(await storageEnv(dataDir)) };

    const first = await pacs(['import', folder, '--no-progress'], env);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /stored: 7\n/);
    assert.match(first.stdout, /duplicates: 0\n/);
    assert.match(first.stdout, /failed: 1\n  \S+truncated\.dcm: unparsable: /);
    assert.match(first.stdout, /skipped: 2\n/);
    assert.match(first.stdout, /DICOMDIR: a DICOMDIR/);
    assert.match(first.stdout, /notes\.txt: not a DICOM Part 10 file/);

    const again = await pacs(['import', join(folder, 'a'), '--no-progress'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /stored: 0\nduplicates: 6\nfailed: 0\nskipped: 0\n/);

    const added = await pacs(['users', 'add', 'rad1', '--password', 'rad1-password', '--roles', 'radiologist'], env);
    assert.equal(added.code, 0, added.stderr);

    const server = await startTestServer({ dataDir, env: { PACS_EMBEDDED_PG_PORT: env.PACS_EMBEDDED_PG_PORT } });
    try {
      const token = await server.token('rad1', 'rad1-password');
      const found = await http(`${server.httpUrl}/dicomweb/studies?PatientID=CLI-1`, { token });
      assert.equal(found.json()[0]['0020000D'].Value[0], study.studyUid);
      assert.equal(found.json()[0]['00201208'].Value[0], 6);
      // Beside the running server the CLI attaches to its embedded PostgreSQL.
      const more = mkdtempSync(join(tmpdir(), 'pacs-import-'));
      writeInstance(join(more, 'x.dcm'), { patientId: 'CLI-3' });
      writeFileSync(join(more, 'README.TXT'), 'Viewer on this CD: run setup.exe');
      const live = await pacs(['import', more, '--no-progress'], env);
      assert.equal(live.code, 0, `a skipped file is no failure: ${live.stdout}${live.stderr}`);
      assert.match(live.stdout, /stored: 1\nduplicates: 0\nfailed: 0\nskipped: 1\n/);
      assert.equal((await http(`${server.httpUrl}/dicomweb/studies?PatientID=CLI-3`, { token })).json().length, 1);
    } finally {
      await server.stop();
    }
  });
});
