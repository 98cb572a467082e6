// The audit chain across the upgrade that gave events their recording node (`source`, migration
// AuditEventSource1765330000000): events hashed before it, and one staged before it and sealed
// after, verify together with the events recorded after it.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule, dataSourceOptions, MIGRATIONS } from '@pacs/database';
import { testDatabase } from '../../../test/support/test-database';
import { canonicalJson, GENESIS_HASH } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';

/** An event as the server stored it before events had a source. */
function oldEvent(n: number) {
  return {
    time: new Date(Date.UTC(2026, 10, 1, 8, 0, n)).toISOString(),
    actor: `CT${n}`,
    actorType: 'ae',
    sourceAddress: '10.0.0.9',
    action: '110104',
    actionName: 'DICOM Instances Transferred',
    actionCode: 'C',
    outcome: 0,
    patientId: `P${n}`,
    studyUids: [`1.2.9.${n}`],
    details: { n },
  };
}

/** The hash as it was computed then: the previous hash and these eleven fields, no source. */
function oldHash(prev: string, e: ReturnType<typeof oldEvent>): string {
  const fields = [e.time, e.actor, e.actorType, e.sourceAddress, e.action, e.actionName, e.actionCode, e.outcome, e.patientId, e.studyUids, e.details];
  return createHash('sha256').update(prev).update('\n').update(canonicalJson(fields)).digest('hex');
}

describe('audit chain across the upgrade that names the recording node', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  const sql = (text: string, params: unknown[] = []) => ctx.get(DataSource).query(text, params);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-audit-upgrade-'));
    db = await testDatabase({ empty: true });
    // The schema as it was before the migration, with a trail written by the functions of then.
    const upgrade = MIGRATIONS.findIndex((m) => m.name === 'AuditEventSource1765330000000');
    assert.ok(upgrade > 0);
    const old = await new DataSource({ ...dataSourceOptions(db.url), migrations: MIGRATIONS.slice(0, upgrade) }).initialize();
    try {
      let prev = GENESIS_HASH;
      const chained = [1, 2, 3].map((n) => {
        const e = oldEvent(n);
        const hash = oldHash(prev, e);
        const row = { ...e, prevHash: prev, hash };
        prev = hash;
        return row;
      });
      const [{ r }] = await old.query('SELECT audit_append($1, $2::jsonb) AS r', [GENESIS_HASH, JSON.stringify(chained)]);
      assert.equal(r.ids.length, 3);
      await old.query('SELECT audit_stage($1::jsonb)', [JSON.stringify(oldEvent(4))]);
    } finally {
      await old.destroy();
    }
    const config = loadConfig({ PACS_DATA_DIR: dir, PACS_NODE_ID: 'pacs-new' });
    ctx = await NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), AuditModule] },
      { logger: false },
    );
  });

  after(async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies events hashed before the upgrade together with events recorded after it', async () => {
    const audit = ctx.get(AuditService);
    await audit.record({ actor: 'admin', actorType: 'user', action: '110110', actionCode: 'U', outcome: 0 });
    await ctx.get(AuditSealer).sealNow(); // the event staged before the upgrade
    const events = await audit.find({}, 10);
    assert.deepEqual(
      events.map((e) => [e.actor, e.source, e.hash === null]),
      [['CT1', null, false], ['CT2', null, false], ['CT3', null, false], ['CT4', null, false], ['admin', 'pacs-new', false]],
    );
    assert.deepEqual(await audit.verify(), { intact: true });
  });

  it('names an old event given a source afterwards, and a new event whose source was cleared', async () => {
    const audit = ctx.get(AuditService);
    const [, old, , , recent] = await audit.find({}, 10);
    await sql(`UPDATE audit_events SET source = 'pacs-new' WHERE id = $1`, [old.id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: old.id });
    await sql('UPDATE audit_events SET source = NULL WHERE id = $1', [old.id]);
    await sql('UPDATE audit_events SET source = NULL WHERE id = $1', [recent.id]);
    assert.deepEqual(await audit.verify(), { intact: false, brokenAt: recent.id });
    await sql(`UPDATE audit_events SET source = 'pacs-new' WHERE id = $1`, [recent.id]);
    assert.deepEqual(await audit.verify(), { intact: true });
  });
});
