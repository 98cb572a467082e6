import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destinationsOf, RoutedInstance, RoutingRule, wildcardMatch } from './routing-rule';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const ct: RoutedInstance = { callingAe: 'CT1', modality: 'CT', sopClassUid: CT, studyDescription: 'CT HEAD W/O CONTRAST' };
const rule = (name: string, when: RoutingRule['when'], forwardTo: string[], delaySeconds = 0): RoutingRule => ({ name, when, forwardTo, delaySeconds });

describe('forwarding rule matching (DICOM wildcards, PS3.4 C.2.2.2.4)', () => {
  it('matches * as any run of characters and ? as one character, case-sensitive', () => {
    assert.equal(wildcardMatch('CT*', 'CT HEAD'), true);
    assert.equal(wildcardMatch('C?', 'CT'), true);
    assert.equal(wildcardMatch('C?', 'CTX'), false);
    assert.equal(wildcardMatch('ct', 'CT'), false);
    assert.equal(wildcardMatch('1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.2.1'), false, 'dots are literal');
  });

  it('an instance without the attribute matches only *', () => {
    assert.equal(wildcardMatch('*', null), true);
    assert.equal(wildcardMatch('CT*', null), false);
  });

  it('sends a CT from CT1 to the destinations of every matching rule, each once', () => {
    const rules = [
      rule('ct-to-ai', { modality: 'CT', callingAe: 'CT1' }, ['AI', 'BACKUP']),
      rule('head-to-teaching', { studyDescription: '*HEAD*' }, ['TEACHING', 'AI'], 30),
      rule('mr-only', { modality: 'MR' }, ['MRNODE']),
      rule('other-sender', { callingAe: 'CT2' }, ['AI']),
    ];
    assert.deepEqual(destinationsOf(rules, ct), [
      { aeTitle: 'AI', rules: ['ct-to-ai', 'head-to-teaching'], delaySeconds: 30 },
      { aeTitle: 'BACKUP', rules: ['ct-to-ai'], delaySeconds: 0 },
      { aeTitle: 'TEACHING', rules: ['head-to-teaching'], delaySeconds: 30 },
    ]);
  });

  it('never sends an instance back to the AE that sent it', () => {
    assert.deepEqual(destinationsOf([rule('mirror', {}, ['CT1', 'AI'])], ct).map((d) => d.aeTitle), ['AI']);
  });
});
