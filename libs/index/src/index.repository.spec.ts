import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { IndexRepository } from './index.repository';
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
  const createQueryRunner = () => ({ connect: async () => client, release: async () => undefined });
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

describe('IndexRepository group commit', () => {
  it('writes concurrent instances in one statement, in study order, with each caller getting its own result', async () => {
    const { dataSource, calls } = fakeDataSource((call) => [{ outcomes: rowsOf(call).map((r) => (r.sopInstanceUid === '1.1.2' ? { replaced: `old-${r.sopInstanceUid}` } : { inserted: true })) }]);
    const repo = new IndexRepository(dataSource);
    const companion = { sqlFunction: 'audit_stage', payload: { e: 1 } };
    const results = await Promise.all([
      repo.indexInstance(facts('1.9', '1.1.1'), blob, 'CT1', companion),
      repo.indexInstance(facts('1.2', '1.1.2'), blob, 'CT1', companion),
      repo.indexInstance(facts('1.5', '1.1.3'), blob, null),
    ]);
    assert.deepEqual(results, [{ inserted: true }, { replaced: 'old-1.1.2' }, { inserted: true }]);
    assert.equal(calls.length, 1);
    assert.match(calls[0].text, /pacs_index_instances\(\$1::jsonb\)/);
    assert.match(calls[0].text, /count\(audit_stage\(value\)\) FROM jsonb_array_elements\(\$2::jsonb\)/);
    assert.deepEqual(rowsOf(calls[0]).map((r) => r.sopInstanceUid), ['1.1.2', '1.1.3', '1.1.1'], 'sorted by study');
    assert.equal(JSON.parse(calls[0].values[1] as string).length, 2, 'one companion payload per instance that has one');
  });

  it('writes the rows of a failed batch one by one, so only the bad one fails', async () => {
    const { dataSource, calls } = fakeDataSource((call) => {
      if (call.text.includes('pacs_index_instances')) throw new Error('batch failed');
      if (JSON.parse(call.values[0] as string).sopInstanceUid === '1.1.2') throw new Error('bad row');
      return [{ outcome: { inserted: true } }];
    });
    const repo = new IndexRepository(dataSource);
    const results = await Promise.allSettled(['1.1.1', '1.1.2', '1.1.3'].map((uid) => repo.indexInstance(facts('1.2', uid), blob, null)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'bad row');
    assert.equal(calls.length, 4, 'the batch, then each row alone');
  });

  it('refuses a companion function name that is not a plain identifier', async () => {
    const repo = new IndexRepository(fakeDataSource(() => [{ outcome: { inserted: true } }]).dataSource);
    await assert.rejects(repo.indexInstance(facts('1.2', '1.1.1'), blob, null, { sqlFunction: 'x; DROP TABLE y', payload: {} }), /invalid companion function/);
  });
});
