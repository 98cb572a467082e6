import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource, QueryRunner } from 'typeorm';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { testDatabase } from '../../../test/support/test-database';
import { AuditAction } from './audit-codes';
import { AuditEventInput, GENESIS_HASH, stagedEvent } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { AuditModule } from './audit.module';
import { AuditService, VerifyResult } from './audit.service';

function event(n: number, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: `CT${n % 3}`,
    actorType: 'ae',
    sourceAddress: '10.0.0.1',
    action: AuditAction.InstancesTransferred,
    actionCode: 'C',
    outcome: 0,
    patientId: `P${n % 5}`,
    studyUids: [`1.2.3.${n % 7}`],
    details: { n, nested: { b: 1, a: [1, 'x'] } },
    ...over,
  };
}

describe('audit chain against a real PostgreSQL', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let other: INestApplicationContext;
  let audit: AuditService;

  const open = (node: string) => {
    const config = loadConfig({ PACS_DATA_DIR: dir, PACS_NODE_ID: node });
    return NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), AuditModule] },
      { logger: false },
    );
  };
  const sql = (text: string, params: unknown[] = []) => ctx.get(DataSource).query(text, params);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-audit-'));
    db = await testDatabase();
    ctx = await open('pacs-a');
    // A second node on the same database: its appends must interleave into one chain.
    other = await open('pacs-b');
    audit = ctx.get(AuditService);
  });

  after(async () => {
    await other?.close();
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends events linked by hash, starting from the genesis hash, and verifies them intact', async () => {
    const first = await audit.record(event(1));
    const second = await audit.record(event(2));
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.prevHash, first.hash);
    assert.ok(second.id > first.id);
    assert.match(second.hash ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(await audit.verify(), { intact: true });
  });

  it('keeps one valid chain under concurrent appends from two nodes, in few transactions', async () => {
    const before = Number((await sql('SELECT count(*) AS n FROM audit_events'))[0].n);
    const otherAudit = other.get(AuditService);
    const recorded = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 ? audit : otherAudit).record(event(100 + i))),
    );
    const after = Number((await sql('SELECT count(*) AS n FROM audit_events'))[0].n);
    assert.equal(after - before, 300);
    assert.equal(new Set(recorded.map((e) => e.id)).size, 300);
    assert.deepEqual(await audit.verify(), { intact: true });
    // Group commit: 300 events from two nodes in far fewer than 300 transactions (xmin names the inserting one).
    const ids = recorded.map((e) => e.id);
    const transactions = Number((await sql('SELECT count(DISTINCT xmin::text) AS n FROM audit_events WHERE id = ANY($1)', [ids]))[0].n);
    assert.ok(transactions >= 2 && transactions < 100, `${transactions} transactions for 300 events`);
  });

  it('filters by actor, patient, study, action and outcome, in id order', async () => {
    // A Query event: staged (a read event), found before it is sealed.
    const query = await audit.record(event(7, { actor: 'FILTERME', outcome: 8, action: AuditAction.Query, actionCode: 'E' }));
    assert.equal(query.hash, null);
    const byActor = await audit.find({ actor: 'FILTERME' }, 10);
    assert.equal(byActor.length, 1);
    assert.equal(byActor[0].actionName, 'Query');
    assert.equal((await audit.find({ actor: 'FILTERME', outcome: 0 }, 10)).length, 0);
    const byStudy = await audit.find({ studyUid: '1.2.3.3', patientId: 'P0' }, 1000);
    assert.ok(byStudy.length > 0);
    assert.ok(byStudy.every((e) => e.studyUids.includes('1.2.3.3') && e.patientId === 'P0'));
    const ids = byStudy.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  });

  const stage = (n: number, runner?: QueryRunner): Promise<{ audit_stage: string }[]> => {
    const params = [JSON.stringify(stagedEvent(event(n), 'pacs-a'))];
    return runner ? runner.query('SELECT audit_stage($1::jsonb)', params) : sql('SELECT audit_stage($1::jsonb)', params);
  };

  it('reports staged events as unsealed, then seals them into the intact chain within a second', async () => {
    await ctx.get(AuditSealer).sealNow(); // the Query event of the test above was staged too
    for (let n = 500; n < 520; n++) await stage(n);
    const before: VerifyResult = await audit.verify();
    assert.deepEqual(before, { intact: true, unsealed: 20 });
    // verify() started the sealer: poll as an auditor would.
    const deadline = Date.now() + 1500;
    let now: VerifyResult = before;
    while (now.unsealed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      now = await audit.verify();
    }
    assert.deepEqual(now, { intact: true });
    const rows = await sql(`SELECT count(*)::int AS n FROM audit_events WHERE details->>'n' >= '500' AND details->>'n' < '520' AND hash IS NOT NULL AND seal_seq IS NOT NULL`);
    assert.equal(rows[0].n, 20);
  });

  it('keeps one chain when staged events, one committing out of id order, interleave with record() from two nodes', async () => {
    // A store transaction that drew its id first and commits last (ids commit out of order).
    const runner = ctx.get(DataSource).createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const [late] = await stage(600, runner);
    const otherAudit = other.get(AuditService);
    await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => (i % 2 ? audit : otherAudit).record(event(700 + i))),
      ...Array.from({ length: 60 }, (_, i) => stage(800 + i).then(() => (i % 2 ? ctx : other).get(AuditSealer).sealNow())),
    ]);
    await runner.commitTransaction();
    await runner.release();
    await ctx.get(AuditSealer).sealNow();
    assert.deepEqual(await audit.verify(), { intact: true });
    const [row] = await sql('SELECT seal_seq, (SELECT max(seal_seq) FROM audit_events WHERE id > $1) AS later FROM audit_events WHERE id = $1', [late.audit_stage]);
    assert.ok(Number(row.seal_seq) > Number(row.later), 'the late row was chained after rows with greater ids');
    assert.equal((await sql('SELECT count(*)::int AS n FROM audit_events WHERE seal_seq IS NULL'))[0].n, 0);
  });

  it('stores a batch holding NUL and unpaired surrogates from the network together with every other event of it, and the chain verifies', async () => {
    const hostile = { actor: 'NUL\0PEER', details: { calledAe: 'PA\0CS', reason: 'x\ud800' }, studyUids: ['1.2.3\0'] };
    const recorded = await Promise.all([
      audit.record(event(900)),
      audit.record(event(901, hostile)),
      audit.record(event(902)),
      audit.record(event(903, { ...hostile, action: AuditAction.Query, actionCode: 'E' })), // a read: staged
      audit.record(event(904, { action: AuditAction.Query, actionCode: 'E' })),
    ]);
    assert.equal(recorded.length, 5);
    const rows = await sql(`SELECT actor, details, study_uids FROM audit_events WHERE actor LIKE 'NUL%' ORDER BY id`);
    assert.deepEqual(
      rows.map((r: { actor: string; details: { calledAe: string; reason: string }; study_uids: string[] }) => [r.actor, r.details.calledAe, r.details.reason, r.study_uids]),
      Array(2).fill(['NUL\\u0000PEER', 'PA\\u0000CS', 'x\\ud800', ['1.2.3\\u0000']]),
    );
    await ctx.get(AuditSealer).sealNow();
    assert.deepEqual(await audit.verify(), { intact: true });
  });

  it('commits every other event of a batch the database refuses one event of, each rechained, and the chain verifies', async () => {
    // An action code longer than char(1), an outcome beyond smallint: rows PostgreSQL refuses.
    const outcomes = await Promise.allSettled([
      audit.record(event(950)),
      audit.record(event(951, { actionCode: 'XX' as 'C' })),
      audit.record(event(952)),
      audit.record(event(953)),
      audit.record(event(954, { action: AuditAction.Query, actionCode: 'E' })),
      audit.record(event(955, { action: AuditAction.Query, actionCode: 'E', outcome: 99999 })),
      audit.record(event(956, { action: AuditAction.Query, actionCode: 'E' })),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const [a, , b, c] = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined));
    assert.equal(b?.prevHash, a?.hash, 'the event after the refused one links to the one before it');
    assert.equal(c?.prevHash, b?.hash);
    const stored = await sql(`SELECT details->>'n' AS n FROM audit_events WHERE details->>'n' BETWEEN '950' AND '956' ORDER BY 1`);
    assert.deepEqual(stored.map((r: { n: string }) => r.n), ['950', '952', '953', '954', '956']);
    await ctx.get(AuditSealer).sealNow();
    assert.deepEqual(await audit.verify(), { intact: true });
  });

  it('names the node that recorded each event, whichever node sealed it; filters by it', async () => {
    const otherAudit = other.get(AuditService);
    const chained = await otherAudit.record(event(1000, { actor: 'BY-NODE' }));
    const read = await otherAudit.record(event(1001, { actor: 'BY-NODE', action: AuditAction.Query, actionCode: 'E' }));
    const mine = await audit.record(event(1002, { actor: 'BY-NODE' }));
    assert.equal(read.hash, null, 'a read event: staged');
    await ctx.get(AuditSealer).sealNow(); // node A seals node B's staged event
    const rows = await audit.find({ actor: 'BY-NODE' }, 10);
    assert.deepEqual(rows.map((e) => [e.id, e.source]), [[chained.id, 'pacs-b'], [read.id, 'pacs-b'], [mine.id, 'pacs-a']]);
    assert.ok(rows[1].hash, 'sealed');
    assert.deepEqual((await audit.find({ actor: 'BY-NODE', source: 'pacs-b' }, 10)).map((e) => e.id), [chained.id, read.id]);
    assert.deepEqual(await audit.verify(), { intact: true });
    await sql(`UPDATE audit_events SET source = 'pacs-a' WHERE id = $1`, [read.id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: read.id }, 'a source changed');
    await sql(`UPDATE audit_events SET source = NULL WHERE id = $1`, [read.id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: read.id }, 'a source cleared');
    await sql(`UPDATE audit_events SET source = 'pacs-b' WHERE id = $1`, [read.id]);
    assert.deepEqual(await audit.verify(), { intact: true });
  });

  it('names the row that was altered with SQL, then the successor of a deleted row', async () => {
    const events = await audit.find({}, 20);
    const victim = events[10];
    await sql(`UPDATE audit_events SET actor = 'SOMEONE-ELSE' WHERE id = $1`, [victim.id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: victim.id });
    await sql(`UPDATE audit_events SET actor = $2 WHERE id = $1`, [victim.id, victim.actor]);
    assert.deepEqual(await audit.verify(), { intact: true });
    await sql(`UPDATE audit_events SET details = jsonb_set(details, '{n}', '999') WHERE id = $1`, [events[3].id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: events[3].id });
    await sql(`UPDATE audit_events SET details = $2 WHERE id = $1`, [events[3].id, JSON.stringify(events[3].details)]);
    await sql(`DELETE FROM audit_events WHERE id = $1`, [events[5].id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: events[6].id });
  });
});
