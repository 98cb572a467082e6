// The server a fuzz run targets: the default test server, with its admin's token.
import { TestServer } from '../support/server';
import { FuzzTarget } from './dimse-cases';

/** Settings for the fuzzed server (none yet beyond the test defaults). */
export const FUZZ_SERVER_ENV: Record<string, string> = {};

export async function fuzzTarget(server: TestServer): Promise<FuzzTarget> {
  return { dimsePort: server.dimsePort, httpUrl: server.httpUrl, aeTitle: server.aeTitle, callingAe: 'TESTSCU', token: await server.token() };
}
