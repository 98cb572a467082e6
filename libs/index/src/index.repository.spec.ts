import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { IndexRepository, InstanceChangedError } from './index.repository';
import { CommitCompanions } from './commit-companions';
import type { InstanceFacts } from './instance-facts';

type Call = { text: string; values: unknown[] };

/** A DataSource whose connections answer like PostgreSQL would, recording every statement. */
function fakeDataSource(answer: (call: Call) => Record<string, unknown>[]): { dataSource: DataSource; calls: Call[] } {
  const calls: Call[] = [];
  const client = {
    query: async ({ text, values }: Call) => {
      calls.push({ text, values });
      return { rows: answer({ text, values }) };
    },
  };
  const control = (text: string) => async () => void calls.push({ text, values: [] });
  const createQueryRunner = () => ({
    connect: async () => client,
    release: async () => undefined,
    startTransaction: control('BEGIN'),
    commitTransaction: control('COMMIT'),
    rollbackTransaction: control('ROLLBACK'),
  });
  return { dataSource: { createQueryRunner } as unknown as DataSource, calls };
}

function facts(studyUid: string, sopInstanceUid: string): InstanceFacts {
  return {
    patient: { id: 'P', issuer: '', name: null, birthDate: null, sex: null },
    studyUid, seriesUid: `${studyUid}.1`, sopInstanceUid, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', instanceNumber: 1, transferSyntaxUid: '1.2.840.10008.1.2.1',
    study: { attributes: {} }, series: { modality: 'CT', attributes: {} }, attributes: {},
  } as unknown as InstanceFacts;
}

const blob = { key: 'k', size: 1, sha256: 'x' };
const rowsOf = (call: Call) => JSON.parse(call.values[0] as string) as { sopInstanceUid: string }[];

const statements = (calls: Call[]) => calls.map((c) => (/^(BEGIN|COMMIT|ROLLBACK)$/.test(c.text) ? c.text : c.text.match(/pacs_index_instances?|audit_stage|attribute_overrides/)?.[0]));

/** A companion recording the payloads it is given, in the index transaction. */
function recordingCompanion() {
  const written: unknown[][] = [];
  const companion = {
    payload: () => undefined,
    committed: () => undefined,
    write: async (tx: { query(text: string, values: unknown[]): Promise<unknown> }, payloads: unknown[]) => {
      written.push(payloads);
      await tx.query('SELECT count(audit_stage(e)) FROM jsonb_array_elements($1::jsonb) AS t(e)', [JSON.stringify(payloads)]);
    },
  };
  return { companion, written };
}

describe('IndexRepository group commit', () => {
  it('writes concurrent instances in one transaction, in study order, with each caller getting its own result', async () => {
    const { dataSource, calls } = fakeDataSource((call) =>
      call.text.includes('pacs_index_instances') ? [{ outcomes: rowsOf(call).map((r) => (r.sopInstanceUid === '1.1.2' ? { replaced: `old-${r.sopInstanceUid}` } : { inserted: true })) }] : [],
    );
    const { companion, written } = recordingCompanion();
    const repo = new IndexRepository(dataSource, new CommitCompanions(companion));
    const results = await Promise.all([
      repo.indexInstance({ facts: facts('1.9', '1.1.1'), blob, sourceAe: 'CT1', companionPayloads: [{ e: 1 }] }),
      repo.indexInstance({ facts: facts('1.2', '1.1.2'), blob, sourceAe: 'CT1', companionPayloads: [{ e: 2 }] }),
      repo.indexInstance({ facts: facts('1.5', '1.1.3'), blob, sourceAe: null }),
    ]);
    assert.deepEqual(results, [{ inserted: true }, { replaced: 'old-1.1.2' }, { inserted: true }]);
    assert.deepEqual(statements(calls), ['BEGIN', 'pacs_index_instances', 'audit_stage', 'attribute_overrides', 'COMMIT']);
    assert.deepEqual(rowsOf(calls[1]).map((r) => r.sopInstanceUid), ['1.1.2', '1.1.3', '1.1.1'], 'sorted by study');
    assert.deepEqual(written, [[{ e: 1 }, { e: 2 }]], 'one companion payload per instance that has one');
  });

  it('commits only once every blob of the batch is durable', async () => {
    const { dataSource, calls } = fakeDataSource((call) => (call.text.includes('pacs_index_instances') ? [{ outcomes: rowsOf(call).map(() => ({ inserted: true })) }] : []));
    const repo = new IndexRepository(dataSource, new CommitCompanions());
    let flushed!: () => void;
    const durable = new Promise<void>((resolve) => (flushed = resolve));
    const writes = Promise.all([
      repo.indexInstance({ facts: facts('1.2', '1.1.1'), blob, sourceAe: null, durable }),
      repo.indexInstance({ facts: facts('1.2', '1.1.2'), blob, sourceAe: null }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(statements(calls), ['BEGIN', 'pacs_index_instances', 'attribute_overrides'], 'the row is written, the transaction still open');
    flushed();
    await writes;
    assert.deepEqual(statements(calls), ['BEGIN', 'pacs_index_instances', 'attribute_overrides', 'COMMIT']);
  });

  it('rolls a batch back when one blob fails to flush, and commits the others on their own', async () => {
    const { dataSource, calls } = fakeDataSource((call) =>
      call.text.includes('pacs_index_instances') ? [{ outcomes: rowsOf(call).map(() => ({ inserted: true })) }] : call.text.includes('attribute_overrides') ? [] : [{ outcome: { inserted: true } }],
    );
    const repo = new IndexRepository(dataSource, new CommitCompanions());
    const failed = Promise.reject(new Error('EIO'));
    failed.catch(() => undefined);
    const results = await Promise.allSettled([
      repo.indexInstance({ facts: facts('1.2', '1.1.1'), blob, sourceAe: null }),
      repo.indexInstance({ facts: facts('1.2', '1.1.2'), blob, sourceAe: null, durable: failed }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'EIO');
    assert.deepEqual(statements(calls).slice(0, 4), ['BEGIN', 'pacs_index_instances', 'attribute_overrides', 'ROLLBACK']);
    assert.equal(statements(calls).filter((s) => s === 'COMMIT').length, 1, 'only the instance whose blob is durable commits');
  });

  it('writes the rows of a failed batch one by one, so only the bad one fails', async () => {
    const { dataSource, calls } = fakeDataSource((call) => {
      if (call.text.includes('attribute_overrides')) return [];
      if (call.text.includes('pacs_index_instances')) throw new Error('batch failed');
      if (JSON.parse(call.values[0] as string).sopInstanceUid === '1.1.2') throw new Error('bad row');
      return [{ outcome: { inserted: true } }];
    });
    const repo = new IndexRepository(dataSource, new CommitCompanions());
    const results = await Promise.allSettled(['1.1.1', '1.1.2', '1.1.3'].map((uid) => repo.indexInstance({ facts: facts('1.2', uid), blob, sourceAe: null })));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'bad row');
    assert.equal(calls.filter((c) => /^SELECT pacs_index/.test(c.text)).length, 4, 'the batch, then each row alone');
  });

  it('writes a row again when PostgreSQL made it a deadlock victim, and fails at once on any other error', async () => {
    let deadlocks = 1;
    const { dataSource, calls } = fakeDataSource((call) => {
      if (!call.text.includes('pacs_index_instance(')) return [];
      const uid = JSON.parse(call.values[0] as string).sopInstanceUid;
      if (uid === '1.1.1' && deadlocks-- > 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      if (uid === '1.1.2') throw Object.assign(new Error('value too long'), { code: '22001' });
      return [{ outcome: { inserted: true } }];
    });
    const repo = new IndexRepository(dataSource, new CommitCompanions());
    assert.deepEqual(await repo.indexInstance({ facts: facts('1.2', '1.1.1'), blob, sourceAe: null }), { inserted: true });
    assert.equal(calls.filter((c) => c.text.includes('pacs_index_instance(')).length, 2, 'the deadlock victim was written again');
    await assert.rejects(repo.indexInstance({ facts: facts('1.2', '1.1.2'), blob, sourceAe: null }), /value too long/);
    assert.equal(calls.filter((c) => c.text.includes('pacs_index_instance(')).length, 3, 'another error is not retried');
  });

  it('indexes a rewrite only while the row still points at the blob it was made from, under the row lock', async () => {
    let current = 'k-old';
    const { dataSource, calls } = fakeDataSource((call) => {
      if (call.text.includes('FOR UPDATE')) return [{ blob_key: current }];
      if (call.text.includes('pacs_index_instance(')) return [{ outcome: { replaced: current } }];
      return [];
    });
    const repo = new IndexRepository(dataSource, new CommitCompanions());
    assert.deepEqual(await repo.indexRewrite({ facts: facts('1.2', '1.1.1'), blob, sourceAe: null }, 'k-old'), { replaced: 'k-old' });
    current = 'k-resent';
    await assert.rejects(repo.indexRewrite({ facts: facts('1.2', '1.1.1'), blob, sourceAe: null }, 'k-old'), InstanceChangedError);
    const second = calls.slice(calls.findLastIndex((c) => c.text === 'BEGIN'));
    assert.deepEqual(second.map((c) => c.text.split(' ').slice(0, 2).join(' ')), ['BEGIN', 'SELECT blob_key', 'ROLLBACK'], 'nothing written');
  });

  it("gives each written row the overrides of its study, then its series' (a moved series wins), read after the rows were written", async () => {
    const { dataSource, calls } = fakeDataSource((call) => {
      if (call.text.includes('pacs_index_instances')) return [{ outcomes: rowsOf(call).map((r) => (r.sopInstanceUid === '1.1.3' ? { exists: true } : { inserted: true })) }];
      if (call.text.includes('attribute_overrides')) {
        return [
          { scope_uid: '1.2', attributes: { '00100020': 'NEW', '00100010': 'NEW^NAME' } },
          { scope_uid: '1.2.1', attributes: { '00100020': 'MOVED', '0020000D': '9.9' } },
        ];
      }
      return [];
    });
    const repo = new IndexRepository(dataSource, new CommitCompanions());
    const results = await Promise.all([
      repo.indexInstance({ facts: facts('1.2', '1.1.1'), blob, sourceAe: null }),
      repo.indexInstance({ facts: facts('1.5', '1.1.2'), blob, sourceAe: null }),
      repo.indexInstance({ facts: facts('1.2', '1.1.3'), blob, sourceAe: null, expectNew: true }),
    ]);
    assert.deepEqual(results, [
      { inserted: true, overrides: { '00100020': 'MOVED', '00100010': 'NEW^NAME', '0020000D': '9.9' } },
      { inserted: true },
      { exists: true },
    ]);
    assert.deepEqual(statements(calls), ['BEGIN', 'pacs_index_instances', 'attribute_overrides', 'COMMIT']);
    assert.deepEqual([...(calls[2].values[0] as string[])].sort(), ['1.2', '1.2.1', '1.5', '1.5.1']);
  });
});
