import type { IngestCommitCompanion } from './ingest.types';

/** A SQL function call (one jsonb argument) to commit with an index change. */
export interface CompanionCall {
  sqlFunction: string;
  payload: object;
}

const FUNCTION_NAME = /^[a-z_][a-z0-9_]*$/;

/** The companion's call for this payload, or undefined when there is nothing to commit with it. */
export function companionCall(companion: IngestCommitCompanion | undefined, payload: object | undefined): CompanionCall | undefined {
  return payload && companion ? { sqlFunction: companion.sqlFunction, payload } : undefined;
}

/**
 * The function name as it goes into SQL text. It comes from code (e.g. 'audit_stage'), never
 * from input, but it is placed in a statement unquoted, so every statement checks it here.
 */
export function companionFunction(call: CompanionCall): string {
  if (!FUNCTION_NAME.test(call.sqlFunction)) throw new Error(`invalid companion function ${call.sqlFunction}`);
  return call.sqlFunction;
}
