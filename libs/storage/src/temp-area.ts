import { randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OwnerState, TempOwners } from './temp-owner';

/** What sweeping the temp area did with the files of processes that are gone. */
export interface TempSweep {
  /** Unfinished or unplaced temporary files removed. */
  tempFiles: number;
  /** Placed blobs whose index row never committed, removed. */
  blobsRemoved: number;
  /** Placed blobs an index row references: only their placement record was dropped. */
  blobsKept: number;
  /** Files of processes that cannot be checked from here (another host or container): left alone. */
  foreign: number;
}

/** Says which of these keys no index row references (so their blobs may go). */
export type UnreferencedKeys = (keys: string[]) => Promise<Set<string>>;

const PART = '.part';
const PLACED = '.placed';
/** Files named as before owners existed: only old ones are known to belong to no live write. */
const LEGACY_STALE_MS = 60 * 60 * 1000;

/**
 * The temp directory, shared by every process on the data directory (server, `pacs import`),
 * with each file named after its owner process (`<owner>~…`). Besides temporary blobs
 * (`<owner>~<uuid>.part`) it holds one placement record per blob placed and not yet settled
 * (`<owner>~<key>.placed`): the same inode as the blob, under a name that says which key it
 * was placed at. A crash between placing a blob and committing its index row leaves that
 * record, so the next start knows exactly which blobs may lack a row; it is dropped once the
 * row commits or the blob is removed. Only files of a process proved dead are swept.
 */
export class TempArea {
  constructor(
    readonly dir: string,
    private readonly owners: TempOwners,
  ) {}

  newTempPath(): string {
    return join(this.dir, `${this.owners.self}~${randomUUID()}${PART}`);
  }

  recordPath(key: string): string {
    return join(this.dir, `${this.owners.self}~${encodeURIComponent(key)}${PLACED}`);
  }

  /**
   * Removes what dead processes left: temporary files, and placed blobs none of whose keys an
   * index row references (`unreferenced` decides; `removeBlob` removes one).
   */
  async sweep(unreferenced: UnreferencedKeys, removeBlob: (key: string, record: string) => Promise<boolean>): Promise<TempSweep> {
    const result: TempSweep = { tempFiles: 0, blobsRemoved: 0, blobsKept: 0, foreign: 0 };
    for (const [owner, names] of await this.byOwner()) {
      const state = owner === undefined ? undefined : this.owners.state(owner);
      if (state === undefined) result.tempFiles += await this.sweepLegacy(names);
      else if (state === 'unknown') result.foreign += names.length;
      else if (state === 'dead') await this.sweepDead(owner as string, names, unreferenced, removeBlob, result);
    }
    return result;
  }

  /** Keys placed by running processes (or ones that cannot be checked) and not yet settled. */
  async placementsInFlight(): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const [owner, names] of await this.byOwner()) {
      const state: OwnerState = owner === undefined ? 'dead' : this.owners.state(owner);
      if (state === 'dead') continue;
      for (const name of names) if (name.endsWith(PLACED)) keys.add(keyOf(name));
    }
    return keys;
  }

  private async sweepDead(
    owner: string,
    names: string[],
    unreferenced: UnreferencedKeys,
    removeBlob: (key: string, record: string) => Promise<boolean>,
    result: TempSweep,
  ): Promise<void> {
    const placed = names.filter((n) => n.endsWith(PLACED));
    for (const name of names.filter((n) => !n.endsWith(PLACED))) {
      await rm(join(this.dir, name), { force: true });
      result.tempFiles++;
    }
    if (placed.length === 0) return;
    const doomed = await unreferenced(placed.map(keyOf));
    for (const name of placed) {
      const key = keyOf(name);
      const record = join(this.dir, name);
      if (!doomed.has(key)) result.blobsKept++;
      else if (await removeBlob(key, record)) result.blobsRemoved++; // else it never got linked
      await rm(record, { force: true });
    }
  }

  private async sweepLegacy(names: string[]): Promise<number> {
    let removed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > LEGACY_STALE_MS) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** File names grouped by owner; `undefined` groups names without one (from older versions). */
  private async byOwner(): Promise<Map<string | undefined, string[]>> {
    const groups = new Map<string | undefined, string[]>();
    for (const name of await readdir(this.dir)) {
      const cut = name.indexOf('~');
      const owner = cut > 0 ? name.slice(0, cut) : undefined;
      const list = groups.get(owner) ?? [];
      list.push(name);
      groups.set(owner, list);
    }
    return groups;
  }
}

function keyOf(recordName: string): string {
  return decodeURIComponent(recordName.slice(recordName.indexOf('~') + 1, -PLACED.length));
}
