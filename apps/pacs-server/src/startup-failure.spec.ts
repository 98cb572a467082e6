import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@pacs/config';
import { DatabaseStartError } from '@pacs/database';
import { startupFailure } from './startup-failure';

const config = loadConfig({ PACS_HTTP_PORT: '8081', PACS_DIMSE_PORT: '11113' });

function listenError(code: string, port: number): Error {
  return Object.assign(new Error(`listen ${code}: address already in use :::${port}`), { code, syscall: 'listen', port });
}

describe('startupFailure', () => {
  it('names the setting of a port that is taken', () => {
    assert.equal(startupFailure(listenError('EADDRINUSE', 8081), config), 'the HTTP port 8081 is in use by another process. Stop it, or set PACS_HTTP_PORT to a free port.');
    assert.match(startupFailure(listenError('EADDRINUSE', 11113), config), /^the DICOM port 11113 .* set PACS_DIMSE_PORT/);
  });

  it('explains a privileged port refused to a non-root user', () => {
    assert.match(startupFailure(listenError('EACCES', 11113), config), /ports below 1024 need root .*; set PACS_DIMSE_PORT to a port above 1023\.$/);
  });

  it('tells a database start failure as its message, anything else with its stack', () => {
    assert.equal(startupFailure(new DatabaseStartError('the embedded PostgreSQL ...'), config), 'the embedded PostgreSQL ...');
    const bug = new TypeError('x is undefined');
    assert.equal(startupFailure(bug, config), bug.stack);
  });
});
