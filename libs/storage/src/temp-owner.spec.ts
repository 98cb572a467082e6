import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ProcessTempOwners } from './temp-owner';

describe('temp file owners', () => {
  const owners = new ProcessTempOwners();
  const [host, boot, pidNamespace, pid, started] = owners.self.split('-');
  const id = (parts: Partial<Record<'host' | 'boot' | 'pidNamespace' | 'pid' | 'started', string>>) =>
    [parts.host ?? host, parts.boot ?? boot, parts.pidNamespace ?? pidNamespace, parts.pid ?? pid, parts.started ?? started].join('-');

  it('names itself by host, boot, PID namespace, PID and start time, and knows it runs', () => {
    assert.match(owners.self, /^[0-9a-f]{12}-[0-9a-f]{12}-\d+-\d+-\d+$/);
    assert.equal(Number(pid), process.pid);
    assert.equal(owners.state(owners.self), 'alive');
    assert.equal(new ProcessTempOwners().state(owners.self), 'alive', 'another instance in this process agrees');
  });

  it('proves dead a process that exited, a reused PID and an earlier boot of this machine', () => {
    const exited = spawnSync(process.execPath, ['-e', '0']).pid as number;
    assert.equal(owners.state(id({ pid: String(exited) })), 'dead');
    assert.equal(owners.state(id({ started: String(Number(started) + 1) })), 'dead', 'same PID, other start time');
    assert.equal(owners.state(id({ boot: 'aaaaaaaaaaaa' })), 'dead');
  });

  it('never judges what it cannot check: another host, another PID namespace, a name it does not know', () => {
    assert.equal(owners.state(id({ host: 'bbbbbbbbbbbb' })), 'unknown');
    assert.equal(owners.state(id({ pidNamespace: '1' })), 'unknown');
    assert.equal(owners.state('written-by-something-else'), 'unknown');
  });
});
