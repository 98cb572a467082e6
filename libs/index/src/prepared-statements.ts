import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** The part of node-postgres' Pool (TypeORM's `master`) used for named statements. */
interface StatementPool {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Statement texts get a name until this many are known. node-postgres keeps a named statement
 * on each connection for its lifetime, so names are never reused for another text; texts beyond
 * the cap run unnamed, as before.
 */
const MAX_NAMED = 256;
const names = new Map<string, string>();

/**
 * Runs a statement of a hot path (ingest, QIDO-RS) as a named prepared statement: each pooled
 * connection parses it once instead of on every call. Texts must carry their values as
 * parameters ($1…), never inline, or every call would be a new text.
 */
export async function queryPrepared(dataSource: DataSource, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  let name = names.get(text);
  if (!name && names.size < MAX_NAMED) {
    name = `pacs_${names.size + 1}`;
    names.set(text, name);
  }
  const pool = (dataSource.driver as PostgresDriver).master as StatementPool;
  return (await pool.query({ name, text, values })).rows;
}
