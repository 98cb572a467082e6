import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IngestOutcome, IngestSource } from '@pacs/index';
import type { JobQueue } from '@pacs/jobs';
import { ForwardJobsCompanion } from './forward-jobs.companion';
import type { RoutingRule } from './routing-rule';
import type { RoutingRulesService } from './routing-rules.service';

const instance: IngestOutcome = {
  result: 'stored',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: '1.2.3.4.5',
  studyUid: '1.2.3',
  seriesUid: '1.2.3.4',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  modality: 'CT',
  studyDescription: 'CT HEAD',
};
const companion = (rules: RoutingRule[]) => new ForwardJobsCompanion({ cached: () => rules } as unknown as RoutingRulesService, {} as JobQueue);

describe('forward jobs of a stored instance', () => {
  const rules: RoutingRule[] = [{ name: 'ct-from-ct1', when: { modality: 'CT', callingAe: 'CT1' }, forwardTo: ['AI', 'BACKUP'], delaySeconds: 5 }];

  it('queues one job per destination, ordered by the destination, for an instance from CT1', () => {
    const source: IngestSource = { channel: 'dimse', actor: 'CT1' };
    assert.deepEqual(companion(rules).payload(instance, source), [
      { type: 'forward', orderingKey: 'AI', delaySeconds: 5, payload: { sopInstanceUid: '1.2.3.4.5', studyUid: '1.2.3', rules: ['ct-from-ct1'] } },
      { type: 'forward', orderingKey: 'BACKUP', delaySeconds: 5, payload: { sopInstanceUid: '1.2.3.4.5', studyUid: '1.2.3', rules: ['ct-from-ct1'] } },
    ]);
  });

  it('adds nothing to the commit when no rule matches: a STOW-RS user is no calling AE', () => {
    assert.equal(companion(rules).payload(instance, { channel: 'stow', actor: 'CT1' }), undefined);
    assert.equal(companion([]).payload(instance, { channel: 'dimse', actor: 'CT1' }), undefined);
  });
});
