import type { DataSource } from 'typeorm';

/**
 * The part of a node-postgres client used for named statements: what TypeORM's documented
 * `QueryRunner.connect()` resolves to with the postgres driver.
 */
export interface StatementClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Texts of an open-ended set (QIDO-RS: one per query shape) get a name until this many are
 * known. node-postgres keeps a named statement on each connection for its lifetime, so names are
 * never reused for another text; texts beyond the cap run unnamed, as before.
 */
const MAX_NAMED = 256;
const names = new Map<string, string>();
let varyingNamed = 0;

/**
 * Runs a statement of a hot path as a named prepared statement: each pooled connection parses it
 * once instead of on every call. Texts must carry their values as parameters ($1…), never
 * inline, or every call would be a new text. `fixed`: one of the few texts a path always uses
 * (ingest), always named, so however many query shapes came first it is never crowded out;
 * `varying`: a text shaped by the client's request, named up to MAX_NAMED.
 */
export async function queryPrepared(dataSource: DataSource, text: string, values: unknown[], kind: 'fixed' | 'varying' = 'fixed'): Promise<Record<string, unknown>[]> {
  const runner = dataSource.createQueryRunner();
  try {
    return await runPrepared((await runner.connect()) as StatementClient, text, values, kind);
  } finally {
    await runner.release();
  }
}

/** queryPrepared on a connection the caller holds (e.g. inside its transaction). */
export async function runPrepared(client: StatementClient, text: string, values: unknown[], kind: 'fixed' | 'varying' = 'fixed'): Promise<Record<string, unknown>[]> {
  return (await client.query({ name: nameOf(text, kind), text, values })).rows;
}

function nameOf(text: string, kind: 'fixed' | 'varying'): string | undefined {
  const known = names.get(text);
  if (known || (kind === 'varying' && varyingNamed >= MAX_NAMED)) return known;
  if (kind === 'varying') varyingNamed++;
  const name = `pacs_${names.size + 1}`;
  names.set(text, name);
  return name;
}
