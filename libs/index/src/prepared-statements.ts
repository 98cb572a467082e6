import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** The part of node-postgres' Pool (TypeORM's `master`) used for named statements. */
interface StatementPool {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Texts of open-ended sets (QIDO-RS: one per query shape and page size) get a name until this
 * many are known. node-postgres keeps a named statement on each connection for its lifetime, so
 * names are never reused for another text; texts beyond the cap run unnamed, as before.
 */
const MAX_NAMED = 256;
const names = new Map<string, string>();
let counted = 0;

/**
 * Runs a statement of a hot path as a named prepared statement: each pooled connection parses it
 * once instead of on every call. `kind` says which texts may be named: `fixed` for the few texts
 * a path always uses (ingest), always named, so however many query shapes came first they are
 * never crowded out; `first-page` for a query whose text varies with the client's request,
 * named up to MAX_NAMED; `once` for a text that is not worth a name (a later page of results,
 * whose OFFSET is in the text: LIMIT and OFFSET stay inline because as parameters PostgreSQL's
 * generic plan cost QIDO-RS 15–40 % of its throughput in the bench).
 */
export async function queryPrepared(
  dataSource: DataSource,
  text: string,
  values: unknown[],
  kind: 'fixed' | 'first-page' | 'once' = 'fixed',
): Promise<Record<string, unknown>[]> {
  const pool = (dataSource.driver as PostgresDriver).master as StatementPool;
  return (await pool.query({ name: kind === 'once' ? undefined : nameOf(text, kind === 'fixed'), text, values })).rows;
}

function nameOf(text: string, fixed: boolean): string | undefined {
  const known = names.get(text);
  if (known || (!fixed && counted >= MAX_NAMED)) return known;
  if (!fixed) counted++;
  const name = `pacs_${names.size + 1}`;
  names.set(text, name);
  return name;
}
