import { Injectable } from '@nestjs/common';
import { BlobStore, compareKeys, TempSweep } from '@pacs/storage';
import { BlobRemovals } from './blob-removals';
import { InstancesRepository } from './instances.repository';

export interface VerifyOptions {
  /** Remove orphans, blobs recorded for removal, and what dead processes left in the temp area. */
  fix: boolean;
  /** Files without a row younger than this are not judged: they may be a running server's writes. */
  graceMs: number;
}

export interface MissingBlob {
  key: string;
  sopInstanceUid: string;
}

export interface StorageReport {
  blobs: number;
  instances: number;
  /** Files no instance row and no rejected instance references (removed when fixing). */
  orphans: string[];
  /** Instance rows whose file is not there. */
  missing: MissingBlob[];
  /** Files without a row that are younger than the grace period. */
  recent: number;
  /** Files without a row yet, placed by a running process whose row may still commit. */
  inFlight: number;
  /** Blobs recorded for removal and not removed yet (after fixing: what is left). */
  pendingRemovals: number;
  fixed?: { orphansRemoved: number; pendingRemoved: number; temp: TempSweep };
}

interface IndexedKey {
  blobKey: string;
  sopInstanceUid: string;
}

/** Rows fetched from the cursor at a time, and keys per re-check statement. */
const PAGE = 2000;

/**
 * Compares the blob store with the index (`pacs storage verify`): files no row points to
 * (orphans) and rows whose file is missing. The blob tree and the instance rows are read in
 * one order and merged, so neither list of keys is ever held whole; only the differences are.
 * A difference seen in that pass is then proved against the current state (the pass is not
 * one instant): an orphan must still have no row after its file was seen and no running
 * process may hold a placement record for it (a write whose row may yet commit); a missing
 * blob must still be referenced after its file was found absent. Safe against a running server.
 */
@Injectable()
export class StorageVerifier {
  constructor(
    private readonly instances: InstancesRepository,
    private readonly blobs: BlobStore,
    private readonly removals: BlobRemovals,
  ) {}

  async verify(options: VerifyOptions): Promise<StorageReport> {
    const report: StorageReport = { blobs: 0, instances: 0, orphans: [], missing: [], recent: 0, inFlight: 0, pendingRemovals: 0 };
    let fixed: StorageReport['fixed'];
    if (options.fix) {
      const temp = await this.blobs.sweepTemp((keys) => this.removals.unreferenced(keys));
      fixed = { orphansRemoved: 0, pendingRemoved: await this.removals.removePending(), temp };
    }
    const seen = await this.compare(report);
    report.orphans = await this.confirmOrphans(seen.orphans, options.graceMs, report);
    report.missing = await this.confirmMissing(seen.missing);
    if (fixed) {
      for (const key of report.orphans) {
        await this.blobs.remove(key);
        fixed.orphansRemoved++;
      }
      report.fixed = fixed;
    }
    report.pendingRemovals = await this.removals.pending();
    return report;
  }

  /** One pass over both, in compareKeys order: what differs, and the counts. */
  private async compare(report: StorageReport): Promise<{ orphans: string[]; missing: IndexedKey[] }> {
    const orphans: string[] = [];
    const missing: IndexedKey[] = [];
    const rows = this.instances.blobKeysInKeyOrder(PAGE);
    let row = (await rows.next()).value as IndexedKey | undefined;
    const advance = async () => {
      report.instances++;
      row = (await rows.next()).value as IndexedKey | undefined;
    };
    try {
      for await (const key of this.blobs.keys()) {
        report.blobs++;
        while (row && compareKeys(row.blobKey, key) < 0) {
          missing.push(row);
          await advance();
        }
        if (row?.blobKey !== key) orphans.push(key);
        while (row?.blobKey === key) await advance();
      }
      while (row) {
        missing.push(row);
        await advance();
      }
    } finally {
      await rows.return(undefined); // releases the snapshot's connection however the pass ends
    }
    return { orphans, missing };
  }

  private async confirmOrphans(candidates: string[], graceMs: number, report: StorageReport): Promise<string[]> {
    const old: string[] = [];
    for (const key of candidates) {
      const stat = await this.blobs.stat(key);
      if (!stat) continue; // removed since
      if (Date.now() - stat.modifiedMs < graceMs) report.recent++;
      else old.push(key);
    }
    // Read after every candidate was seen: a write that placed one still holds its record here.
    const inFlight = await this.blobs.placementsInFlight();
    const settled = old.filter((key) => !inFlight.has(key));
    report.inFlight = old.length - settled.length;
    const orphans: string[] = [];
    for (let i = 0; i < settled.length; i += PAGE) {
      const unreferenced = await this.removals.unreferenced(settled.slice(i, i + PAGE));
      orphans.push(...settled.slice(i, i + PAGE).filter((key) => unreferenced.has(key)));
    }
    return orphans;
  }

  private async confirmMissing(candidates: IndexedKey[]): Promise<MissingBlob[]> {
    const absent: IndexedKey[] = [];
    for (const row of candidates) if (!(await this.blobs.stat(row.blobKey))) absent.push(row);
    const missing: MissingBlob[] = [];
    for (let i = 0; i < absent.length; i += PAGE) {
      const page = absent.slice(i, i + PAGE);
      const current = await this.instances.blobKeysOf(page.map((r) => r.sopInstanceUid));
      missing.push(...page.filter((r) => current.get(r.sopInstanceUid) === r.blobKey).map((r) => ({ key: r.blobKey, sopInstanceUid: r.sopInstanceUid })));
    }
    return missing;
  }
}
