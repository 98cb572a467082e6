import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** libs/ in the sources, dist/libs/ once built (scripts/build.sh copies each lib's sql/ there). */
const LIBS = join(__dirname, '..', '..');

/**
 * The text of a lib's SQL file, e.g. `sqlFile('index', 'applied/20261207-pacs_index_instance.sql')`.
 * Each lib keeps the current definition of its PostgreSQL functions and triggers in `sql/<name>.sql`
 * and a dated copy per migration that applied it in `sql/applied/`: migrations read the copy,
 * never the current file, so the history they replay does not change.
 */
export function sqlFile(lib: string, path: string): string {
  return readFileSync(join(LIBS, lib, 'sql', path), 'utf8');
}
