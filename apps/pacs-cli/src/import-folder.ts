import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import { AuditService, instanceStoredEvent } from '@pacs/audit';
import { IngestError, IngestService, IngestSource } from '@pacs/index';
import { readDicomdirFileIds } from '@pacs/media';
import { BlobStore } from '@pacs/storage';

export interface ImportSummary {
  stored: number;
  duplicates: number;
  failed: { file: string; reason: string }[];
  /** Files that are not DICOM instances (a CD's DICOMDIR, viewer, README...): listed, not failures. */
  skipped: { file: string; reason: string }[];
}

const PARALLEL = 4;
const IMPORT: IngestSource = { channel: 'import', actor: 'cli' };

/**
 * Imports through the same ingest path as C-STORE and STOW-RS every file below `folder` or, when
 * the folder is media with a DICOMDIR at its root, every file the DICOMDIR references.
 */
export async function importFolder(
  folder: string,
  blobs: BlobStore,
  ingest: IngestService,
  progress: boolean,
  audit?: AuditService,
): Promise<ImportSummary> {
  const summary: ImportSummary = { stored: 0, duplicates: 0, failed: [], skipped: [] };
  const files = await filesToImport(folder, summary);
  const bar = progress ? new SingleBar({ format: 'importing [{bar}] {value}/{total} files', stream: process.stderr }) : undefined;
  bar?.start(files.length, 0);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      await importFile(file, blobs, ingest, summary, audit);
      bar?.increment();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  bar?.stop();
  return summary;
}

async function importFile(file: string, blobs: BlobStore, ingest: IngestService, summary: ImportSummary, audit?: AuditService): Promise<void> {
  let skip: string | undefined;
  try {
    skip = await notAnInstance(file);
  } catch (err) {
    return void summary.failed.push({ file, reason: (err as Error).message });
  }
  if (skip) return void summary.skipped.push({ file, reason: skip });
  const writer = blobs.createTemp();
  try {
    await pipeline(createReadStream(file), writer, { end: false });
    const temp = await writer.finish();
    const outcome = await ingest.ingest(temp, IMPORT);
    // Import: one event per instance, committed before it counts as imported (usually staged
    // in the index commit itself: StoreAuditCompanion).
    if (!outcome.coCommitted) await audit?.record(instanceStoredEvent(IMPORT, outcome));
    if (outcome.result === 'stored') summary.stored++;
    else summary.duplicates++;
  } catch (err) {
    await writer.discard();
    const reason = err instanceof IngestError ? `${err.code}: ${err.message}` : (err as Error).message;
    summary.failed.push({ file, reason });
  }
}

/**
 * Why a file is no DICOM instance, or undefined if it may be one: a Part 10 file starts with a
 * 128-byte preamble and "DICM" (PS3.10 7.1); a DICOMDIR is one, but indexes media (PS3.10 8.6).
 * A file that claims to be DICOM and then fails to parse still counts as failed.
 */
async function notAnInstance(file: string): Promise<string | undefined> {
  if (basename(file).toUpperCase() === 'DICOMDIR') return 'a DICOMDIR (media directory), not an instance';
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(132), 0, 132, 0);
    return bytesRead === 132 && buffer.toString('latin1', 128, 132) === 'DICM' ? undefined : 'not a DICOM Part 10 file (no "DICM" at offset 128)';
  } finally {
    await handle.close();
  }
}

/**
 * Media (PS3.10 8): the files its DICOMDIR references, found whatever case and ISO 9660 version
 * suffix (`;1`) the medium shows their names in; one it references that is not there fails, the
 * others are skipped. Without a DICOMDIR: every file.
 */
async function filesToImport(folder: string, summary: ImportSummary): Promise<string[]> {
  const files = await listFiles(folder);
  const dicomdir = files.find((f) => relative(folder, f).toUpperCase() === 'DICOMDIR');
  if (!dicomdir) return files;
  let fileIds: string[][];
  try {
    fileIds = await readDicomdirFileIds(dicomdir);
  } catch (err) {
    summary.failed.push({ file: dicomdir, reason: `not a readable DICOMDIR: ${(err as Error).message}` });
    return files;
  }
  const byId = new Map(files.map((f) => [relative(folder, f).split(sep).join('\\').replace(/;\d+$/, '').toUpperCase(), f]));
  const referenced: string[] = [];
  for (const id of fileIds) {
    const file = byId.get(id.join('\\').toUpperCase());
    if (file) referenced.push(file);
    else summary.failed.push({ file: join(folder, ...id), reason: 'referenced by the DICOMDIR but not on the medium' });
  }
  const chosen = new Set(referenced);
  for (const f of files) if (!chosen.has(f)) summary.skipped.push({ file: f, reason: f === dicomdir ? 'the DICOMDIR (media directory)' : 'not referenced by the DICOMDIR' });
  return referenced;
}

async function listFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
