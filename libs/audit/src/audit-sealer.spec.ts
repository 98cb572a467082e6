// AuditSealer seals staged events soon after a stage, and also on its own every minute: events a
// node staged just before it died are sealed by the others without a stage of their own.
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from './audit-event';
import type { AuditRepository } from './audit.repository';
import { AuditSealer, SEAL_DELAY_MS, SEAL_SWEEP_MS } from './audit-sealer';

/** A repository whose staged rows are whatever the test puts in `staged`. */
function fakeRepository() {
  const state = { staged: [] as AuditEvent[], sealed: [] as AuditEvent[] };
  const repository = {
    sealStaged: async (limit: number) => {
      const batch = state.staged.splice(0, limit);
      state.sealed.push(...batch);
      return batch;
    },
  } as unknown as AuditRepository;
  return { state, repository };
}

const event = (id: number) => ({ id }) as AuditEvent;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AuditSealer', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('seals a stage after the delay, and rows another node left staged within a minute', async () => {
    const { state, repository } = fakeRepository();
    const sealer = new AuditSealer(repository);
    sealer.onApplicationBootstrap();
    await settle();

    state.staged.push(event(1));
    sealer.staged();
    mock.timers.tick(SEAL_DELAY_MS);
    await settle();
    assert.deepEqual(state.sealed.map((e) => e.id), [1]);

    state.staged.push(event(2)); // staged by a node that died before its own seal
    mock.timers.tick(SEAL_SWEEP_MS - SEAL_DELAY_MS - 1); // the sweep runs a minute after the start
    await settle();
    assert.deepEqual(state.sealed.map((e) => e.id), [1], 'not yet');
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(state.sealed.map((e) => e.id), [1, 2]);
    await sealer.beforeApplicationShutdown();
  });
});
