import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IngestOutcome } from '@pacs/index';
import { instancesStoredEvent, instanceStoredEvent } from './instances-stored';

const instance: IngestOutcome = {
  result: 'stored',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: '1.2.3.4.5',
  studyUid: '1.2.3',
  seriesUid: '1.2.3.4',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  patientId: 'P1',
  coCommitted: true,
};

describe('Instances stored: one event whatever the channel (PS3.15 A.5.3)', () => {
  it('a C-STORE is DICOM Instances Transferred (C) by the calling AE, with the instance', () => {
    const e = instanceStoredEvent({ channel: 'dimse', actor: 'CT1', remoteAddress: '10.0.0.9' }, instance);
    assert.deepEqual([e.action, e.actionCode, e.outcome, e.actor, e.actorType, e.sourceAddress], ['110104', 'C', 0, 'CT1', 'ae', '10.0.0.9']);
    assert.deepEqual([e.patientId, e.studyUids], ['P1', ['1.2.3']]);
    assert.deepEqual(e.details, {
      service: 'store', result: 'stored', sopClassUid: instance.sopClassUid, sopInstanceUid: '1.2.3.4.5', seriesUid: '1.2.3.4', transferSyntaxUid: instance.transferSyntaxUid,
    });
  });

  it('pacs import is Import (C) by the archive itself', () => {
    const e = instanceStoredEvent({ channel: 'import', actor: 'cli' }, instance);
    assert.deepEqual([e.action, e.actionCode, e.actor, e.actorType, e.sourceAddress], ['110107', 'C', 'cli', 'system', undefined]);
    assert.deepEqual(e.details, { sopInstanceUid: '1.2.3.4.5', result: 'stored' });
  });

  it('a STOW-RS request is DICOM Instances Transferred (C) by the user, with every study it stored', () => {
    const e = instancesStoredEvent({ channel: 'stow', actor: 'alice', remoteAddress: '10.0.0.7' }, { studyUids: ['1.2.3', '1.2.4'], outcome: 4, details: { status: 202 } });
    assert.deepEqual([e.action, e.actionCode, e.outcome, e.actor, e.actorType, e.studyUids], ['110104', 'C', 4, 'alice', 'user', ['1.2.3', '1.2.4']]);
  });
});
