import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { queryPrepared } from './prepared-statements';

describe('named prepared statements', () => {
  const sent: (string | undefined)[] = [];
  const query = async (config: { name?: string }) => {
    sent.push(config.name);
    return { rows: [] };
  };
  const dataSource = { createQueryRunner: () => ({ connect: async () => ({ query }), release: async () => undefined }) } as unknown as DataSource;
  const nameOf = async (text: string, kind?: 'fixed' | 'varying') => {
    await queryPrepared(dataSource, text, [], kind);
    return sent[sent.length - 1];
  };

  it('names a text once and reuses the name', async () => {
    const first = await nameOf('SELECT 1 WHERE $1');
    assert.match(first ?? '', /^pacs_\d+$/);
    assert.equal(await nameOf('SELECT 1 WHERE $1'), first);
  });

  it('stops naming query texts at the cap, but still names the fixed texts of ingest', async () => {
    for (let i = 0; i < 300; i++) await nameOf(`SELECT ${i} LIMIT 51`, 'varying');
    assert.equal(await nameOf('SELECT 299 LIMIT 51', 'varying'), undefined);
    assert.ok(await nameOf('SELECT 0 LIMIT 51', 'varying'), 'texts named before the cap keep their name');
    assert.match((await nameOf('SELECT pacs_index_instance($1)')) ?? '', /^pacs_\d+$/);
  });
});
