import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files below `dir`, at any depth (none when it does not exist), e.g. a data directory's blobs. */
export function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}
