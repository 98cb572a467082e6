import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacsConfig } from '@pacs/config';
import { AuditAction } from './audit-codes';
import { AuditEventInput, GENESIS_HASH, normalizeEvent } from './audit-event';
import type { AuditSealer } from './audit-sealer';
import type { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** An AuditService over a repository that records each batch and whether it asked for the flush. */
function service(flushReads: boolean) {
  const batches: { actions: string[]; flush: boolean }[] = [];
  const repository = {
    append: async (inputs: AuditEventInput[], opts: { flush: boolean }) => {
      batches.push({ actions: inputs.map((i) => i.action), flush: opts.flush });
      return inputs.map((i) => normalizeEvent(i, GENESIS_HASH));
    },
  } as unknown as AuditRepository;
  const config = { audit: { syslogUrl: null, enabled: true, flushReads } } as unknown as PacsConfig;
  return { audit: new AuditService(repository, {} as AuditSealer, config), batches };
}

const event = (action: string): AuditEventInput => ({ actor: 'viewer', actorType: 'user', action, actionCode: 'E', outcome: 0 });

describe('AuditService commit mode', () => {
  it('commits a batch of read events without waiting for the flush, and any batch with a change with it', async () => {
    const { audit, batches } = service(false);
    await Promise.all([audit.record(event(AuditAction.Query)), audit.record(event(AuditAction.InstancesAccessed))]);
    await Promise.all([audit.record(event(AuditAction.Query)), audit.record(event(AuditAction.StudyDeleted))]);
    assert.deepEqual(
      batches.map((b) => b.flush),
      [false, true],
    );
  });

  it('waits for the flush for read events too when PACS_AUDIT_FLUSH_READS is set', async () => {
    const { audit, batches } = service(true);
    await audit.record(event(AuditAction.Query));
    assert.deepEqual(batches, [{ actions: [AuditAction.Query], flush: true }]);
  });
});
