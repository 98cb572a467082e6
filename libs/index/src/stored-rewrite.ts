import { ElementValue, rewriteElements } from '@pacs/dicom';
import { BlobStore, TempBlob } from '@pacs/storage';

/**
 * A temporary blob holding the stored instance `key` with these values set (rewriteElements:
 * every other byte as stored). One instance is held in memory at a time.
 */
export async function rewriteBlob(blobs: BlobStore, key: string, values: readonly ElementValue[]): Promise<TempBlob> {
  const chunks: Buffer[] = [];
  for await (const chunk of blobs.read(key)) chunks.push(chunk as Buffer);
  const rewritten = await rewriteElements(Buffer.concat(chunks), values);
  chunks.length = 0;
  const writer = blobs.createTemp();
  try {
    writer.write(rewritten);
    return await writer.finish();
  } catch (err) {
    await writer.discard();
    throw err;
  }
}
