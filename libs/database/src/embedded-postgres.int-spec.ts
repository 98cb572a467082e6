// A restart right after a crash: the killed postmaster may not be reaped yet, and PostgreSQL
// then takes its lock file as held by a live postmaster. The start waits for the reaping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../test/support/ports';
import { isUnreaped, startEmbeddedPostgres } from './embedded-postgres';

/**
 * A zombie for about `ms`: a child whose parent (`exec sleep`) never collects it until it ends
 * itself. As root it belongs to the user PostgreSQL runs as, like a killed postmaster: PostgreSQL
 * takes a pid it may not signal (EPERM) as no postmaster of its own.
 */
async function zombie(ms: number): Promise<number> {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  const owner = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : {};
  const parent = spawn('/bin/sh', ['-c', `sleep 0.05 & echo $!; exec sleep ${ms / 1000}`], { ...owner, stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  while (!isUnreaped(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
  return pid;
}

describe('embedded PostgreSQL after a crash', () => {
  it('waits for a killed postmaster to be reaped before starting on its data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pacs-pg-zombie-'));
    chmodSync(dataDir, 0o755);
    try {
      const port = await freePort();
      const first = await startEmbeddedPostgres(dataDir, port, () => undefined);
      await first.stop();
      const pid = await zombie(2_000);
      writeFileSync(join(dataDir, 'postgres', 'postmaster.pid'), `${pid}\n${join(dataDir, 'postgres')}\n`);
      const started = Date.now();
      const second = await startEmbeddedPostgres(dataDir, port, () => undefined);
      assert.ok(Date.now() - started > 1_000, 'it waited for the zombie to go');
      assert.equal(isUnreaped(pid), false);
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
