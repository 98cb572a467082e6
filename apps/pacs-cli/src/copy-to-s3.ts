import { SingleBar } from 'cli-progress';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { FilesystemBlobStore, S3BlobStore } from '@pacs/storage';

export interface CopySummary {
  copied: number;
  /** Already in the bucket with the same size (an earlier run): left as they are. */
  present: number;
  failed: { key: string; reason: string }[];
}

/**
 * Copies every blob of the filesystem store into the bucket under the same key, so the index
 * needs no change when the server is switched to PACS_STORAGE_BACKEND=s3. Resumable: a key the
 * bucket already holds with the same size is skipped. Each object is sent signed with the
 * SHA-256 of the file (the store refuses bytes that differ) and its size read back after.
 * Run it with the server stopped, or again after the switch to pick up late arrivals.
 */
export async function copyToS3(source: FilesystemBlobStore, target: S3BlobStore, progress: boolean): Promise<CopySummary> {
  const summary: CopySummary = { copied: 0, present: 0, failed: [] };
  const bar = progress ? new SingleBar({ format: 'copying [{bar}] {value} blobs', stream: process.stderr }) : undefined;
  bar?.start(0, 0);
  for await (const key of source.keys()) {
    try {
      await copyOne(key, source, target, summary);
    } catch (err) {
      summary.failed.push({ key, reason: (err as Error).message });
    }
    bar?.setTotal(summary.copied + summary.present + summary.failed.length);
    bar?.increment();
  }
  bar?.stop();
  return summary;
}

async function copyOne(key: string, source: FilesystemBlobStore, target: S3BlobStore, summary: CopySummary): Promise<void> {
  const path = source.pathOf(key);
  const local = await source.stat(key);
  if (!local) return; // removed while copying
  const remote = await target.stat(key);
  if (remote?.size === local.size) {
    summary.present++;
    return;
  }
  const digest = createHash('sha256');
  await pipeline(createReadStream(path), digest);
  await target.putFile(path, local.size, digest.digest('hex'), key);
  const written = await target.stat(key);
  if (written?.size !== local.size) throw new Error(`the bucket holds ${written?.size ?? 'no'} bytes for ${local.size} copied`);
  summary.copied++;
}
