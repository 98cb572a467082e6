// The server a fuzz run targets: the default test server, with its admin's token.
import { TestServer } from '../support/server';
import { FuzzTarget } from './dimse-cases';

/** Settings for the fuzzed server: short HTTP deadlines, so that a stalled body is answered within a case's wait. */
export const FUZZ_SERVER_ENV: Record<string, string> = { PACS_HTTP_IDLE_TIMEOUT_MS: '1000', PACS_HTTP_REQUEST_TIMEOUT_MS: '5000' };

export async function fuzzTarget(server: TestServer): Promise<FuzzTarget> {
  return { dimsePort: server.dimsePort, httpUrl: server.httpUrl, aeTitle: server.aeTitle, callingAe: 'TESTSCU', token: await server.token() };
}
