import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveJwtSecret } from './jwt-secret';

describe('resolveJwtSecret', () => {
  it('uses the configured secret', () => {
    assert.equal(resolveJwtSecret({ dataDir: '/nonexistent', auth: { jwtSecret: 's'.repeat(20) } } as never), 's'.repeat(20));
  });

  it('generates one secret in <dataDir>/jwt-secret (0600) and reuses it after a restart', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pacs-jwt-'));
    try {
      const config = { dataDir, auth: { jwtSecret: null } } as never;
      const first = resolveJwtSecret(config);
      assert.ok(first.length >= 32);
      assert.equal(statSync(join(dataDir, 'jwt-secret')).mode & 0o777, 0o600);
      assert.equal(resolveJwtSecret(config), first);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
