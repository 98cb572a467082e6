// What the audit trail costs the ingest path, measured in process on a real embedded PostgreSQL:
//  1. record() latency for one caller at a time and for 4 and 16 concurrent callers (group commit);
//  2. IngestService throughput (4 concurrent senders, 512 KB CT instances, fsynced blobs) with
//     and without the Instances Transferred event that the C-STORE SCP's ingest stages in its
//     index commit (channel 'dimse'; channel 'stow' stages no per-instance event). Run: `npm run build && node dist/test/bench/audit-overhead.js [instances]`.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AuditModule, AuditService, DimseAuditor } from '@pacs/audit';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseModule, startEmbeddedPostgres } from '@pacs/database';
import { IndexModule, IngestService } from '@pacs/index';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance, newUid } from '../support/generator';
import { freePort } from '../support/ports';

const say = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const instances = Number(process.argv[2] ?? 400);
  const dir = mkdtempSync(join(tmpdir(), 'pacs-audit-bench-'));
  const db = await startEmbeddedPostgres(dir, await freePort(), () => undefined);
  const config = loadConfig({ PACS_DATA_DIR: dir });
  const ctx = await NestFactory.createApplicationContext(
    { module: class BenchModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), StorageModule, IndexModule, AuditModule] },
    { logger: false },
  );
  try {
    await recordLatency(ctx.get(AuditService));
    await ingestOverhead(ctx.get(IngestService), ctx.get(BlobStore), ctx.get(DimseAuditor), instances);
  } finally {
    await ctx.close();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function recordLatency(audit: AuditService): Promise<void> {
  for (const callers of [1, 4, 16]) {
    const perCaller = 400 / callers;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let i = 0; i < perCaller; i++) {
          await audit.record({ actor: `CT${c}`, actorType: 'ae', action: '110104', actionCode: 'C', outcome: 0, patientId: 'P', studyUids: [newUid()] });
        }
      }),
    );
    const ms = performance.now() - started;
    say(`record(): ${callers} concurrent caller(s): ${(ms / perCaller).toFixed(2)} ms per awaited event per caller, ${((400 * 1000) / ms).toFixed(0)} events/s`);
  }
}

async function ingestOverhead(ingest: IngestService, blobs: BlobStore, auditor: DimseAuditor, count: number): Promise<void> {
  const corpus = Array.from({ length: count }, () => buildInstance({ rows: 512, columns: 512, studyUid: newUid(), patientId: 'BENCH' }).bytes);
  const run = async (withAudit: boolean): Promise<number> => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < corpus.length) {
          const writer = blobs.createTemp();
          writer.write(corpus[next++]);
          const outcome = await ingest.ingest(await writer.finish(), { channel: withAudit ? 'dimse' : 'stow', actor: 'BENCH' });
          // As the SCP does: a separate event only when none was committed with the instance.
          if (withAudit && !outcome.coCommitted) await auditor.stored({ callingAe: 'BENCH', remoteAddress: '127.0.0.1' }, outcome);
        }
      }),
    );
    return (corpus.length * 1000) / (performance.now() - started);
  };
  const rates: Record<string, number[]> = { off: [], on: [] };
  for (const round of [1, 2, 3]) {
    for (const mode of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) rates[mode].push(await run(mode === 'on'));
  }
  const best = (xs: number[]) => Math.max(...xs);
  const off = best(rates.off);
  const on = best(rates.on);
  say(`ingest, 4 concurrent senders, ${count} × 512 KB (best of 3): audit off ${off.toFixed(0)}/s, audit on ${on.toFixed(0)}/s (${(((off - on) / off) * 100).toFixed(1)}% slower)`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
