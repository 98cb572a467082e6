// No blob without a row, and no row without its blob (issue 27): modalities resending the same
// images at once, DELETE after overwrites, a crash's leftovers at the next start, and
// `pacs storage verify [--fix]` against a running server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { storescu } from '../support/dcmtk';
import { filesBelow } from '../support/files';
import { generateStudy, newUid } from '../support/generator';
import { http, value } from '../support/http';
import { freePort } from '../support/ports';
import { runPacs } from '../support/pacs-cli';
import { repoRoot, startTestServer, TestServer } from '../support/server';

const pacs = runPacs;

describe('blob store and index stay in step', () => {
  let server: TestServer;
  let token: string;
  let pgPort: string;
  let cliEnv: Record<string, string>;
  const blobsDir = () => join(server.dataDir, 'blobs');
  const verify = (...args: string[]) => pacs(['storage', 'verify', ...args], cliEnv);
  const instancesOf = async (studyUid: string) =>
    value((await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${studyUid}&includefield=00201208`, { token })).json()[0] ?? {}, '00201208');
  const sql = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const password = readFileSync(join(server.dataDir, 'postgres-password'), 'utf8').trim();
    const db = new Client({ connectionString: `postgres://pacs:${password}@127.0.0.1:${pgPort}/pacs` });
    await db.connect();
    try {
      return (await db.query(text, values)).rows as T[];
    } finally {
      await db.end();
    }
  };

  before(async () => {
    pgPort = String(await freePort());
    server = await startTestServer({ env: { PACS_EMBEDDED_PG_PORT: pgPort } });
    token = await server.token();
    cliEnv = { PACS_DATA_DIR: server.dataDir, PACS_EMBEDDED_PG_PORT: pgPort };
  });

  after(async () => {
    await server?.stop();
  });

  it('eight modalities resending the same 50 images for five rounds leave one file per image, and verify finds nothing wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacs-overwrite-'));
    const study = generateStudy(dir, { series: 1, instancesPerSeries: 50, patientId: 'OVERWRITE-1' });
    for (let round = 0; round < 5; round++) {
      const sends = await Promise.all(Array.from({ length: 8 }, () => storescu(server.dimsePort, study.files, { timeoutMs: 300_000 })));
      for (const sent of sends) assert.deepEqual(sent.statuses, study.files.map(() => '0x0000'), sent.stdout + sent.stderr);
    }
    assert.equal(await instancesOf(study.studyUid), 50);
    const rows = await sql<{ blob_key: string }>('SELECT blob_key FROM instances');
    const onDisk = filesBelow(blobsDir()).map((path) => path.slice(blobsDir().length + 1));
    assert.deepEqual(onDisk.sort(), rows.map((r) => r.blob_key).sort(), 'exactly the files the rows point to');
    const report = await verify('--grace', '0');
    assert.equal(report.code, 0, report.stdout + report.stderr);
    assert.match(report.stdout, /^orphans: 0$/m);
    assert.match(report.stdout, /^missing: 0$/m);

    const deleted = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}`, { method: 'DELETE', token });
    assert.equal(deleted.status, 204);
    assert.deepEqual(filesBelow(blobsDir()), [], 'no file of the deleted study, superseded versions included');
  });

  it('verify lists a file no image references and an image whose file is gone; --fix removes the file and keeps reporting the loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacs-verify-'));
    const study = generateStudy(dir, { series: 1, instancesPerSeries: 2, patientId: 'VERIFY-1' });
    const sent = await storescu(server.dimsePort, study.files);
    assert.deepEqual(sent.statuses, ['0x0000', '0x0000'], sent.stdout + sent.stderr);
    const [lost] = await sql<{ blob_key: string }>('SELECT blob_key FROM instances WHERE sop_instance_uid = $1', [study.sopInstanceUids[0]]);
    unlinkSync(join(blobsDir(), lost.blob_key));
    const viewer = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/series/${study.seriesUids[0]}/instances/${study.sopInstanceUids[0]}`, {
      token,
      headers: { accept: 'application/dicom' },
    });
    assert.equal(viewer.status, 500, 'a viewer asking for the lost image gets an error, not an empty or cut-short image');
    assert.ok(viewer.json().correlationId, viewer.body.toString());
    const orphan = 'ee/ee/eeee.dcm';
    mkdirSync(join(blobsDir(), 'ee', 'ee'), { recursive: true });
    writeFileSync(join(blobsDir(), orphan), 'left behind');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(blobsDir(), orphan), hourAgo, hourAgo);
    const fresh = 'ee/ee/ffff.dcm';
    writeFileSync(join(blobsDir(), fresh), 'maybe being stored');

    const report = await verify();
    assert.equal(report.code, 1, report.stdout + report.stderr);
    assert.match(report.stdout, new RegExp(`^orphans: 1\\n  ${orphan}$`, 'm'));
    assert.match(report.stdout, new RegExp(`^missing: 1\\n  ${lost.blob_key} \\(SOP Instance ${study.sopInstanceUids[0]}\\)$`, 'm'));
    assert.match(report.stdout, /^not judged: 1 younger than 5 min/m);

    const fixed = await verify('--fix', '--grace', '0');
    assert.equal(fixed.code, 1, 'a missing file cannot be fixed');
    assert.match(fixed.stdout, /^orphans: 2 \(removed 2\)$/m);
    assert.equal(existsSync(join(blobsDir(), orphan)), false);
    assert.equal(existsSync(join(blobsDir(), fresh)), false);
    assert.equal(existsSync(join(blobsDir(), 'ee', 'ee')), true, 'only files are removed');

    await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}`, { method: 'DELETE', token });
    const clean = await verify();
    assert.equal(clean.code, 0, clean.stdout);
  });

  it('after a crash, the next start removes the temp files and unindexed blobs of the dead process and completes recorded removals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacs-crash-'));
    const study = generateStudy(dir, { series: 1, instancesPerSeries: 1, patientId: 'CRASH-1' });
    assert.deepEqual((await storescu(server.dimsePort, study.files)).statuses, ['0x0000']);
    // A process of ours that received an image, placed its blob and died before the row committed.
    const storeModule = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'libs/storage/src/filesystem-blob-store.js');
    const placedKey = `dd/dd/${newUid()}.crashed.dcm`;
    const crashed = spawnSync(process.execPath, ['-e', `
      const { FilesystemBlobStore } = require(${JSON.stringify(storeModule)});
      (async () => {
        const store = new FilesystemBlobStore(${JSON.stringify(server.dataDir)});
        const receiving = store.createTemp();
        receiving.write(Buffer.alloc(4096, 1));
        await receiving.finish();
        const placing = store.createTemp();
        placing.write(Buffer.from('placed, never indexed'));
        const temp = await placing.finish();
        await store.place(temp, ${JSON.stringify(placedKey)});
        await store.flush(temp, ${JSON.stringify(placedKey)});
        process.kill(process.pid, 'SIGKILL');
      })();`]);
    assert.equal(crashed.signal, 'SIGKILL', crashed.stderr.toString());
    // A deletion that committed, then crashed before removing the file.
    const recordedKey = 'dc/dc/deleted.dcm';
    mkdirSync(join(blobsDir(), 'dc', 'dc'), { recursive: true });
    writeFileSync(join(blobsDir(), recordedKey), 'deleted, not yet removed');
    await sql('INSERT INTO blob_removals (blob_key, sop_instance_uid) VALUES ($1, $2)', [recordedKey, newUid()]);
    assert.equal(readdirSync(join(server.dataDir, 'tmp')).length, 2);

    await server.stop();
    server = await startTestServer({ dataDir: server.dataDir, env: { PACS_EMBEDDED_PG_PORT: pgPort, PACS_ADMIN_PASSWORD: server.adminPassword } });
    token = await server.token();

    assert.deepEqual(readdirSync(join(server.dataDir, 'tmp')), []);
    assert.equal(existsSync(join(blobsDir(), placedKey)), false);
    assert.equal(existsSync(join(blobsDir(), recordedKey)), false);
    assert.deepEqual(await sql('SELECT blob_key FROM blob_removals'), []);
    assert.equal(await instancesOf(study.studyUid), 1, 'what was stored is kept');
    const report = await verify('--grace', '0');
    assert.equal(report.code, 0, report.stdout);
  });
});
