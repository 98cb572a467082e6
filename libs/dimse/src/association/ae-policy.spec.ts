import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AePolicy, AePolicyRules } from './ae-policy';

const RULES: AePolicyRules = { aeTitle: 'PACS', allowUnknown: false, maxAssociations: 2 };

function policy(rules: Partial<AePolicyRules> = {}): AePolicy {
  const p = new AePolicy({ ...RULES, ...rules });
  p.updatePeers([
    { aeTitle: 'CT1', services: ['echo', 'store'] },
    { aeTitle: 'VIEWER', services: ['find', 'move'] },
  ]);
  return p;
}

describe('AePolicy.decideAssociation (PS3.8 9.3.4 Table 9-21)', () => {
  it('accepts a known peer calling our AE title', () => {
    assert.deepEqual(policy().decideAssociation({ calledAeTitle: 'PACS', callingAeTitle: 'CT1', liveAssociations: 0 }), { accept: true });
  });

  it('ignores leading and trailing spaces of AE titles (PS3.5 AE VR)', () => {
    const decision = policy().decideAssociation({ calledAeTitle: 'PACS   ', callingAeTitle: ' CT1 ', liveAssociations: 0 });
    assert.equal(decision.accept, true);
  });

  it('rejects another called AE: permanent, service-user, called-AE-title-not-recognized (7)', () => {
    const d = policy().decideAssociation({ calledAeTitle: 'OTHER', callingAeTitle: 'CT1', liveAssociations: 0 });
    assert.equal(d.accept, false);
    assert.deepEqual(d.accept ? null : [d.result, d.source, d.reason], [1, 1, 7]);
  });

  it('compares the called AE title case-sensitively', () => {
    assert.equal(policy().decideAssociation({ calledAeTitle: 'pacs', callingAeTitle: 'CT1', liveAssociations: 0 }).accept, false);
  });

  it('rejects an unknown calling AE: permanent, service-user, calling-AE-title-not-recognized (3)', () => {
    const d = policy().decideAssociation({ calledAeTitle: 'PACS', callingAeTitle: 'STRANGER', liveAssociations: 0 });
    assert.deepEqual(d.accept ? null : [d.result, d.source, d.reason], [1, 1, 3]);
  });

  it('accepts an unknown calling AE when allowUnknown is on', () => {
    const d = policy({ allowUnknown: true }).decideAssociation({ calledAeTitle: 'PACS', callingAeTitle: 'STRANGER', liveAssociations: 0 });
    assert.equal(d.accept, true);
  });

  it('rejects over the limit: transient, service-provider (presentation), local-limit-exceeded (2)', () => {
    const d = policy().decideAssociation({ calledAeTitle: 'PACS', callingAeTitle: 'CT1', liveAssociations: 2 });
    assert.deepEqual(d.accept ? null : [d.result, d.source, d.reason], [2, 3, 2]);
  });

  it('checks the called AE before the calling AE, and both before the limit', () => {
    const d = policy().decideAssociation({ calledAeTitle: 'OTHER', callingAeTitle: 'STRANGER', liveAssociations: 99 });
    assert.equal(d.accept ? null : d.reason, 7);
    const d2 = policy().decideAssociation({ calledAeTitle: 'PACS', callingAeTitle: 'STRANGER', liveAssociations: 99 });
    assert.equal(d2.accept ? null : d2.reason, 3);
  });

  it('follows peer updates: a removed peer is no longer accepted', () => {
    const p = policy();
    p.updatePeers([{ aeTitle: 'VIEWER', services: ['find'] }]);
    assert.equal(p.decideAssociation({ calledAeTitle: 'PACS', callingAeTitle: 'CT1', liveAssociations: 0 }).accept, false);
  });
});

describe('AePolicy.mayUse', () => {
  it('grants only the services of the peer', () => {
    const p = policy();
    assert.equal(p.mayUse('CT1', 'store'), true);
    assert.equal(p.mayUse('CT1', 'echo'), true);
    assert.equal(p.mayUse('VIEWER', 'store'), false);
    assert.equal(p.mayUse('VIEWER', 'echo'), false);
  });

  it('grants nothing to unknown AEs, every service when allowUnknown is on', () => {
    assert.equal(policy().mayUse('STRANGER', 'echo'), false);
    assert.equal(policy({ allowUnknown: true }).mayUse('STRANGER', 'store'), true);
  });

  it('a known peer keeps its own rights even when allowUnknown is on', () => {
    assert.equal(policy({ allowUnknown: true }).mayUse('VIEWER', 'store'), false);
  });
});

describe('AePolicy host check (PACS_DIMSE_CHECK_HOST, per-peer checkHost)', () => {
  const resolver = async (host: string) => (host === 'ct1.local' ? ['10.0.0.5', '::1'] : Promise.reject(new Error('ENOTFOUND')));
  const ask = (p: AePolicy, callingAeTitle: string, remoteAddress?: string) =>
    p.decideAssociation({ calledAeTitle: 'PACS', callingAeTitle, remoteAddress, liveAssociations: 0 });

  async function checked(peers: { aeTitle: string; host: string; checkHost?: boolean }[], checkHost = true): Promise<AePolicy> {
    const p = new AePolicy({ ...RULES, checkHost }, resolver);
    p.updatePeers(peers.map((peer) => ({ ...peer, services: ['echo'] })));
    await p.hostsResolved();
    return p;
  }

  it('accepts a peer from its IP address, also seen as an IPv4-mapped IPv6 address', async () => {
    const p = await checked([{ aeTitle: 'CT1', host: '127.0.0.1' }]);
    assert.equal(ask(p, 'CT1', '127.0.0.1').accept, true);
    assert.equal(ask(p, 'CT1', '::ffff:127.0.0.1').accept, true);
  });

  it('rejects a peer from another address as calling-AE-not-recognized (permanent, 1, 3)', async () => {
    const d = ask(await checked([{ aeTitle: 'CT1', host: '127.0.0.1' }]), 'CT1', '10.9.9.9');
    assert.equal(d.accept, false);
    assert.deepEqual(d.accept ? null : [d.result, d.source, d.reason], [1, 1, 3]);
    assert.match(d.accept ? '' : d.why, /host check/);
  });

  it('matches a host name against every address it resolves to; an unresolvable name rejects', async () => {
    const p = await checked([{ aeTitle: 'CT1', host: 'ct1.local' }, { aeTitle: 'GONE', host: 'gone.local' }]);
    assert.equal(ask(p, 'CT1', '10.0.0.5').accept, true);
    assert.equal(ask(p, 'CT1', '::1').accept, true);
    assert.equal(ask(p, 'GONE', '10.0.0.5').accept, false);
  });

  it('with the switch off, checks only the peers that ask for it', async () => {
    const p = await checked([{ aeTitle: 'CT1', host: '127.0.0.1', checkHost: true }, { aeTitle: 'VIEWER', host: '127.0.0.1' }], false);
    assert.equal(ask(p, 'CT1', '10.9.9.9').accept, false);
    assert.equal(ask(p, 'VIEWER', '10.9.9.9').accept, true);
  });
});
