import { closeSync, openSync, read } from 'node:fs';

/**
 * Reads a whole file into the start of `target` and resolves with its length; rejects when it
 * does not fit. Callback fs calls rather than FileHandle: a retrieve reads one file per C-STORE
 * sub-operation, and the promise API takes twice as long per file (~0.2 vs ~0.1 ms). With
 * `expected`, a read that stops short at that length ends it: a regular file reads short only at
 * its end, so the read that would return 0 bytes is saved. The open and close are made in place,
 * as the blob store's metadata calls are (filesystem-blob-store.ts): through the libuv pool each
 * cost a thread hand-off both ways, which under the harness's WADO-RS load took more of the
 * event loop than the read itself.
 */
export function readFileInto(path: string, target: Buffer, expected?: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const fd = openSync(path, 'r');
    const finish = (err: Error | null, length: number) => {
      try {
        closeSync(fd);
      } catch {
        // the bytes are read; a failed close of a read-only descriptor loses nothing
      }
      if (err) reject(err);
      else resolve(length);
    };
    const next = (length: number): void => {
      if (length === target.length) {
        // Full: the file is this long or longer; one byte more tells.
        return read(fd, Buffer.alloc(1), 0, 1, length, (err, more) =>
          finish(err ?? (more > 0 ? new Error(`${path} is larger than the ${target.length} bytes expected`) : null), length),
        );
      }
      read(fd, target, length, target.length - length, length, (err, bytesRead) => {
        if (err) return finish(err, length);
        const total = length + bytesRead;
        if (bytesRead === 0 || (total === expected && total < target.length)) return finish(null, total);
        next(total);
      });
    };
    next(0);
  });
}
