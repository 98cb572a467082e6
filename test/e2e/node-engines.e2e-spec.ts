// Which Node.js the project runs on: package.json's engines, the dependencies' engines and the
// Docker image must agree, as `npm ci` (npm's own engine check, EBADENGINE) sees them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { trackTempDir } from '../support/child-registry';
import { repoRoot } from '../support/server';

/** The packages npm warns EBADENGINE about when `node` installs the locked dependency tree. */
function refusedBy(node: string): { packages: string[]; version: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-engines-'));
  trackTempDir(dir);
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(repoRoot(), file), join(dir, file));
  // --dry-run reads the lock only: nothing is fetched or written.
  const res = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { PATH: `${dirname(node)}:${process.env.PATH}`, HOME: process.env.HOME, npm_config_update_notifier: 'false' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(res.status, 0, res.stdout + res.stderr);
  const packages = [...`${res.stdout}${res.stderr}`.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1]);
  return { packages, version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() };
}

describe('Node.js versions', () => {
  it('package.json accepts no Node.js that a dependency refuses (npm ci on the Node running the tests)', () => {
    const { packages, version } = refusedBy(process.execPath);
    const dependencies = packages.filter((p) => !p.startsWith('pacs@'));
    if (dependencies.length === 0) return;
    assert.ok(packages.some((p) => p.startsWith('pacs@')), `npm refuses ${dependencies.join(', ')} on Node ${version}, but package.json's engines accept it`);
  });

  it("the Docker image's Node.js is one package.json and every dependency accept", () => {
    const node = execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'image-node.mjs')], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
    const { packages, version } = refusedBy(node);
    assert.deepEqual(packages, [], `npm ci on the image's Node ${version}`);
  });
});
