import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacsConfig } from '@pacs/config';
import { AuditAction } from './audit-codes';
import { AuditEventInput, GENESIS_HASH, normalizeEvent, stagedEvent } from './audit-event';
import type { AuditSealer } from './audit-sealer';
import type { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** An AuditService over a repository that records how each event was written. */
function service(flushReads: boolean) {
  const written: { action: string; how: 'appended' | 'staged' }[] = [];
  let sealRequests = 0;
  const repository = {
    staged: (input: AuditEventInput) => stagedEvent(input, 'pacs-a'),
    append: async (inputs: AuditEventInput[]) => {
      written.push(...inputs.map((i) => ({ action: i.action, how: 'appended' as const })));
      return inputs.map((i) => normalizeEvent(i, GENESIS_HASH, 'pacs-a'));
    },
    stageUnflushed: async (events: { action: string }[]) => {
      written.push(...events.map((e) => ({ action: e.action, how: 'staged' as const })));
      return events.map((_, i) => i + 1);
    },
  } as unknown as AuditRepository;
  const sealer = { staged: () => void sealRequests++ } as unknown as AuditSealer;
  const config = { audit: { syslogUrl: null, enabled: true, flushReads } } as unknown as PacsConfig;
  return { audit: new AuditService(repository, sealer, config), written, sealRequests: () => sealRequests };
}

const event = (action: string, actionCode: AuditEventInput['actionCode'] = 'E'): AuditEventInput => ({ actor: 'viewer', actorType: 'user', action, actionCode, outcome: 0 });

describe('AuditService: how events are written', () => {
  it('stages read events (sealed later) and appends every other event to the chain', async () => {
    const { audit, written, sealRequests } = service(false);
    const staged = await audit.record(event(AuditAction.Query));
    await audit.record(event(AuditAction.InstancesAccessed));
    await audit.record(event(AuditAction.InstancesTransferred, 'R')); // C-GET, C-MOVE
    await audit.record(event(AuditAction.InstancesTransferred, 'C')); // a failed C-STORE
    await audit.record(event(AuditAction.StudyDeleted));
    assert.deepEqual(written, [
      { action: AuditAction.Query, how: 'staged' },
      { action: AuditAction.InstancesAccessed, how: 'staged' },
      { action: AuditAction.InstancesTransferred, how: 'staged' },
      { action: AuditAction.InstancesTransferred, how: 'appended' },
      { action: AuditAction.StudyDeleted, how: 'appended' },
    ]);
    assert.equal(staged.hash, null);
    assert.equal(sealRequests(), 3);
  });

  it('stages the read events of concurrent requests in one statement, each with its own id', async () => {
    const { audit, written } = service(false);
    const events = await Promise.all([1, 2, 3].map(() => audit.record(event(AuditAction.Query))));
    assert.equal(written.length, 3);
    assert.deepEqual(
      events.map((e) => e.id),
      [1, 2, 3],
    );
  });

  it('appends read events too when PACS_AUDIT_FLUSH_READS is set', async () => {
    const { audit, written } = service(true);
    await audit.record(event(AuditAction.Query));
    assert.deepEqual(written, [{ action: AuditAction.Query, how: 'appended' }]);
  });
});
