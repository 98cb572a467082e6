// The chaos run: modalities ingest over several associations while the server is SIGKILLed
// (with its PostgreSQL) at random intervals and restarted on the same data; then overlapping
// overwrites of the same instances, still under kills. Afterwards, as users would check it:
// every acknowledged instance byte for byte, exact counts, the audit chain, and a storage with
// no blob without its row and no row without its blob.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { filesBelow } from '../support/files';
import { freePort } from '../support/ports';
import { repoRoot, startTestServer, TestServer } from '../support/server';
import { Prng } from '../fuzz/prng';
import { auditChain, checkCounts, checkInstances } from './checks';
import { ChaosInstance, CorpusShape, writeCorpus } from './corpus';
import { killServerTree } from './server-tree';
import { newTally, sendAll, StoreTally } from './store-workers';

export interface ChaosOptions {
  corpus: CorpusShape;
  associations: number;
  /** A kill comes this long (random in the range) after the server is ready again. */
  killEveryMs: [number, number];
  overwrite: { instances: number; associations: number; rounds: number };
  /** Overwrite rounds go on, `rounds` at a time, until at least this many kills landed in all. */
  minKills?: number;
  seed: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  instances: number;
  kills: number;
  ingest: StoreTally;
  overwrites: StoreTally;
  lost: string[];
  different: string[];
  countMismatches: string[];
  audit: { intact: boolean; brokenAt?: number; unsealed?: number };
  blobFiles: number;
  tempFiles: number;
  storageVerify: { code: number | null; output: string };
  seconds: number;
}

/** `pacs storage verify` on the stopped server's data: exit 0 and its report when nothing is wrong. */
function storageVerify(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const main = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'apps/pacs-cli/src/main.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, 'storage', 'verify', '--grace', '0'], { env: { PATH: process.env.PATH, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Kills and restarts the server at random intervals until stopped; `current` is always the live one. */
class Killer {
  kills = 0;
  /** Set when the server could not be started again: the run ends with it. */
  failure: Error | undefined;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    public current: TestServer,
    private readonly restart: () => Promise<TestServer>,
    private readonly rng: Prng,
    private readonly everyMs: [number, number],
    private readonly log: (line: string) => void,
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const wait = this.rng.int(this.everyMs[0], this.everyMs[1]);
      for (const end = Date.now() + wait; Date.now() < end && !this.stopped; ) await sleep(50);
      if (this.stopped) return;
      const killed = await killServerTree(this.current.pid, this.current.dataDir);
      this.kills++;
      const began = Date.now();
      try {
        this.current = await this.restart();
      } catch (err) {
        this.failure = err as Error;
        this.stopped = true;
        return;
      }
      this.log(`kill ${this.kills}: ${killed} processes, back in ${Date.now() - began} ms`);
    }
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  async stop(): Promise<TestServer> {
    this.stopped = true;
    await this.done;
    if (this.failure) throw new Error(`the server did not start again after kill ${this.kills}: ${this.failure.message}`);
    return this.current;
  }
}

function partition(files: string[], n: number): string[][] {
  return Array.from({ length: n }, (_, k) => files.filter((_, i) => i % n === k));
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const began = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'pacs-chaos-'));
  const dataDir = join(work, 'data');
  chmodSync(work, 0o755);
  const [http, dimse, pg] = [await freePort(), await freePort(), await freePort()];
  const env = {
    PACS_DATA_DIR: dataDir,
    PACS_HTTP_PORT: String(http),
    PACS_DIMSE_PORT: String(dimse),
    PACS_EMBEDDED_PG_PORT: String(pg),
    PACS_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
    PACS_JWT_SECRET: randomBytes(32).toString('base64url'),
  };
  try {
    const instances: ChaosInstance[] = writeCorpus(join(work, 'corpus'), opts.corpus);
    log(`corpus: ${instances.length} instances`);
    const start = () => startTestServer({ dataDir, env });
    const killer = new Killer(await start(), start, new Prng(opts.seed), opts.killEveryMs, log);
    const ingest = newTally();
    await sendAll(dimse, partition(instances.map((i) => i.file), opts.associations), ingest, () => killer.failed);
    log(`ingest: ${ingest.acknowledged} acknowledged, ${killer.kills} kills so far`);
    const overwrites = newTally();
    const again = instances.slice(0, opts.overwrite.instances).map((i) => i.file);
    const queue = Array.from({ length: opts.overwrite.rounds }, () => again).flat();
    do {
      await sendAll(dimse, Array.from({ length: opts.overwrite.associations }, () => queue), overwrites, () => killer.failed);
    } while (killer.kills < (opts.minKills ?? 0) && !killer.failed);
    log(`overwrites: ${overwrites.acknowledged} acknowledged, ${killer.kills} kills in all`);
    const server = await killer.stop();
    const token = await server.token();
    const { lost, different } = await checkInstances(server.httpUrl, token, instances);
    const countMismatches = await checkCounts(server.httpUrl, token, instances);
    const audit = await auditChain(server.httpUrl, token);
    await server.stop();
    const report = {
      instances: instances.length,
      kills: killer.kills,
      ingest,
      overwrites,
      lost,
      different,
      countMismatches,
      audit,
      blobFiles: filesBelow(join(dataDir, 'blobs')).length,
      tempFiles: filesBelow(join(dataDir, 'tmp')).length,
      storageVerify: await storageVerify(env),
      seconds: Math.round((Date.now() - began) / 1000),
    };
    return report;
  } finally {
    if (process.env.PACS_TEST_KEEP_DATA !== '1') rmSync(work, { recursive: true, force: true });
  }
}
