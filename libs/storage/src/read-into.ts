import { close, open, read } from 'node:fs';

/**
 * Reads a whole file into the start of `target` and resolves with its length; rejects when it
 * does not fit. Callback fs calls rather than FileHandle: a retrieve reads one file per C-STORE
 * sub-operation, and the promise API takes twice as long per file (~0.2 vs ~0.1 ms). With
 * `expected`, a read that stops short at that length ends it: a regular file reads short only at
 * its end, so the read that would return 0 bytes is saved.
 */
export function readFileInto(path: string, target: Buffer, expected?: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    open(path, 'r', (openErr, fd) => {
      if (openErr) return reject(openErr);
      const finish = (err: Error | null, length: number) => close(fd, () => (err ? reject(err) : resolve(length)));
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
  });
}
