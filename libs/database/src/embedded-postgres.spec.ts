import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseStartError, startFailure } from './embedded-postgres';

describe('startFailure', () => {
  it('names the port and the setting to change when the port is taken', () => {
    const log = ['LOG:  starting PostgreSQL 15', 'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use', 'FATAL:  could not create any TCP/IP sockets'];
    const err = startFailure(undefined, 5433, '/data/postgres', log);
    assert.ok(err instanceof DatabaseStartError);
    assert.match(err.message, /cannot listen on 127\.0\.0\.1:5433: the port is in use/);
    assert.match(err.message, /PACS_EMBEDDED_PG_PORT/);
    assert.match(err.message, /Address already in use; FATAL:  could not create any TCP\/IP sockets$/);
  });

  it('names the data directory, not the port, when another postmaster holds its lock file', () => {
    const log = ['FATAL:  lock file "postmaster.pid" already exists', 'HINT:  Is another postmaster (PID 42) running in data directory "/data/postgres"?'];
    const err = startFailure(undefined, 5433, '/data/postgres', log);
    assert.match(err.message, /^another PostgreSQL holds the data directory \/data\/postgres/);
    assert.doesNotMatch(err.message, /PACS_EMBEDDED_PG_PORT/);
  });

  it('passes on what PostgreSQL said for any other failure', () => {
    const err = startFailure(undefined, 5433, '/data/postgres', ['LOG:  starting', 'FATAL:  data directory "/data/postgres" has invalid permissions']);
    assert.ok(err instanceof DatabaseStartError);
    assert.equal(err.message, 'the embedded PostgreSQL in /data/postgres exited while starting. PostgreSQL said: FATAL:  data directory "/data/postgres" has invalid permissions');
  });

  it('keeps a real error as it is', () => {
    const original = new Error('spawn ENOENT');
    assert.equal(startFailure(original, 5433, '/data/postgres', []), original);
  });
});
