import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunResult } from './report';
import { ScaleOutIngest, ScaleOutQido, ScaleOutResult, formatScaleOut, ingestTable, qidoTable, ratio, scaleOutSucceeded } from './scale-out-report';

function ingest(storage: 'filesystem' | 's3', workers: number, attempt: number, instancesPerSecond: number, status: RunResult['status'] = 'ok'): ScaleOutIngest {
  const cpu = { serverMs: 1, helpersMs: workers === 1 ? 1 : 5, postgresMs: 1, machineMs: 8 };
  const run: RunResult = { server: 'ours', associations: 4, attempt, status, expected: 2000, instancesPerSecond, mbPerSecond: instancesPerSecond / 2, cpu };
  return { storage, workers, run: status === 'ok' ? run : { ...run, reason: '1990 of 2000 instances stored' } };
}

const qido = (workers: number, attempt: number, perSecond: number): ScaleOutQido => ({
  workers,
  attempt,
  status: 'ok',
  qido: { requests: 1000, seconds: 1000 / perSecond, perSecond, errors: [] },
  cpu: { serverMs: workers === 1 ? 1.5 : 0, helpersMs: workers === 1 ? 0.25 : 2, postgresMs: 0.25, machineMs: 3000 / perSecond },
});

/** The ingest table's row of one configuration. */
function row(result: ScaleOutResult, storage: string, workers: number): string[] {
  const found = ingestTable(result).find((r) => r[0] === storage && r[1] === String(workers));
  assert.ok(found, `no row for ${storage}, ${workers} worker(s)`);
  return found;
}

describe('the scale-out report', () => {
  const result: ScaleOutResult = {
    associations: 4,
    ingest: [ingest('filesystem', 1, 1, 200), ingest('filesystem', 2, 1, 180), ingest('s3', 1, 1, 80), ingest('s3', 2, 1, 90), ingest('filesystem', 2, 2, 220)],
    qido: [qido(1, 1, 600), qido(2, 1, 900), qido(2, 2, 800)],
  };

  it('prints each configuration best of its runs, two workers over one and S3 over the filesystem', () => {
    assert.deepEqual(ingestTable(result).map((r) => r.slice(0, 6)), [
      ['storage', 'workers', 'inst/s', 'MB/s', 'workers/1', 'S3/filesystem'],
      ['filesystem', '1', '200', '100.0', '', ''],
      ['filesystem', '2', '220', '110.0', '1.10×', ''],
      ['S3 (radosgw)', '1', '80', '40.0', '', '0.40×'],
      ['S3 (radosgw)', '2', '90', '45.0', '1.13×', '0.41×'],
    ]);
    assert.match(formatScaleOut(result), /^filesystem +2 +220 +110\.0 +1\.10× /m);
  });

  it('names each run with the load average before it, in the order they ran', () => {
    const loaded: ScaleOutResult = { ...result, ingest: result.ingest.slice(0, 3).map((i, n) => ({ ...i, run: { ...i.run, loadBefore: n + 0.5 } })) };
    assert.match(formatScaleOut(loaded), /^load average before each run: fs\/1 0\.50, fs\/2 1\.50, S3\/1 2\.50$/m);
  });

  it('splits CPU per instance into the main process, the workers, PostgreSQL and, on S3, Ceph', () => {
    assert.deepEqual(row(result, 'filesystem', 2).slice(6), ['1.00', '4.00', '1.00', '8.00', '']);
    const withCeph: ScaleOutResult = { ...result, ingest: result.ingest.map((i) => (i.storage === 's3' ? { ...i, cephMs: 12.5 } : i)) };
    assert.deepEqual(row(withCeph, 'S3 (radosgw)', 1).slice(6), ['1.00', '0.00', '1.00', '8.00', '12.50']);
  });

  it('takes Ceph CPU from the best run, as the other columns', () => {
    const memory = { sampledPeakRssMb: 300, hwmMb: 310, descendantsPeakPssMb: 70, descendantCommands: ['postgres'] };
    const slow = ingest('s3', 1, 1, 70);
    const fast = ingest('s3', 1, 2, 95);
    const twice: ScaleOutResult = {
      ...result,
      ingest: [{ ...slow, cephMs: 14, run: { ...slow.run, memory } }, { ...fast, cephMs: 11, run: { ...fast.run, memory } }],
    };
    assert.deepEqual(row(twice, 'S3 (radosgw)', 1).slice(2, 3).concat(row(twice, 'S3 (radosgw)', 1).slice(10)), ['95', '11.00']);
  });

  it('prints QIDO req/s per worker count with the ratio of their best runs, and the best run\'s CPU per request', () => {
    assert.deepEqual(qidoTable(result), [
      ['workers', 'QIDO req/s', 'workers/1', 'main ms/req', 'workers ms/req', 'PG ms/req', 'machine ms/req'],
      ['1', '600', '', '1.50', '0.00', '0.25', '5.00'],
      ['2', '900', '1.50×', '0.00', '1.75', '0.25', '3.33'],
    ]);
  });

  it('fails the phase and shows no ratio when a run lost instances', () => {
    const lost: ScaleOutResult = { ...result, ingest: [...result.ingest, ingest('s3', 1, 2, 85, 'failed')] };
    assert.deepEqual(row(lost, 'S3 (radosgw)', 1).slice(2, 6), ['failed', 'failed', '', '—']);
    assert.equal(row(lost, 'S3 (radosgw)', 2)[4], '—');
    assert.match(formatScaleOut(lost), /ingest s3, 1 worker\(s\), run 2: failed: 1990 of 2000 instances stored/);
    assert.equal(scaleOutSucceeded(lost), false);
    assert.equal(scaleOutSucceeded(result), true);
  });

  it('fails the phase when a part could not run', () => {
    assert.equal(scaleOutSucceeded({ ...result, failure: 'QIDO not measured: no filesystem ingest run succeeded' }), false);
    assert.equal(scaleOutSucceeded({ ...result, qido: [{ workers: 2, attempt: 1, status: 'failed', reason: 'QIDO answered 401' }] }), false);
  });

  it('gives a ratio only when both sides were measured', () => {
    assert.equal(ratio(150, 100), '1.50×');
    assert.equal(ratio(undefined, 100), '—');
    assert.equal(ratio(150, undefined), '—');
  });
});
