import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { log } from 'dcmjs-dimse';
import type { PendingCommitment } from './commitment-ledger';
import { CommitmentOutcome, CommitmentResults, CommitmentResultsDependencies, nextAttempt } from './commitment-results';
import { storedInstance } from '../retrieve/stored-instance.test-helper';

// dcmjs-dimse logs each connection attempt of the delivery tests at info.
log.setLevel('warn');

const HOUR = 3_600_000;
const policy = { retryDelayMs: 60_000, retryHours: 24 };

describe('Storage Commitment retry schedule', () => {
  const requestedAt = new Date('2026-12-05T00:00:00Z');

  it('waits the retry delay after the first attempt, then twice as long each time, at most an hour', () => {
    const delays = [1, 2, 3, 6, 7, 20].map((attempts) => nextAttempt({ attempts, requestedAt }, requestedAt, policy)!.getTime() - requestedAt.getTime());
    assert.deepEqual(delays, [60_000, 120_000, 240_000, 1_920_000, HOUR, HOUR]);
  });

  it('gives up once the next attempt would fall past the retry period', () => {
    const late = new Date(requestedAt.getTime() + 24 * HOUR - 30_000);
    assert.equal(nextAttempt({ attempts: 1, requestedAt }, late, policy), undefined);
    const inTime = new Date(requestedAt.getTime() + 24 * HOUR - 60_000);
    assert.ok(nextAttempt({ attempts: 1, requestedAt }, inTime, policy));
  });
});

describe('Storage Commitment delivery', () => {
  const pending = (attempts = 1, requestedAt = new Date()): PendingCommitment => ({
    id: '7',
    transactionUid: '1.2.9',
    callingAe: 'MODALITY',
    requestedAt,
    attempts,
    references: [{ sopClassUid: storedInstance(1).sopClassUid, sopInstanceUid: storedInstance(1).sopInstanceUid }],
  });

  function harness(opts: { destination?: boolean } = {}) {
    const calls: string[] = [];
    const outcomes: CommitmentOutcome[] = [];
    const deps: CommitmentResultsDependencies = {
      ledger: {
        add: async () => pending(),
        claimDue: async () => [],
        remove: async (id) => void calls.push(`remove ${id}`),
        retryAt: async (id, at, error) => void calls.push(`retry ${id} ${error}`),
      },
      findStored: async () => [storedInstance(1)],
      // port 9 on loopback: nothing listens, so a new association fails at once
      reportDestination: () => (opts.destination === false ? undefined : { aeTitle: 'MODALITY', host: '127.0.0.1', port: 9 }),
      aeTitle: 'PACS',
      connectTimeoutMs: 2_000,
      pduTimeoutMs: 2_000,
      ...policy,
      count: (outcome) => void outcomes.push(outcome),
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    };
    return { results: new CommitmentResults(deps), calls, outcomes };
  }

  it('sends on the requesting association when it answers, and removes the pending result', async () => {
    const { results, calls, outcomes } = harness();
    let eventType = 0;
    await results.deliver(pending(), (rq) => {
      eventType = rq.getEventTypeId();
      return Promise.resolve(0x0000);
    });
    assert.equal(eventType, 1);
    assert.deepEqual(calls, ['remove 7']);
    assert.deepEqual(outcomes, ['committed']);
  });

  it('schedules another attempt when neither the association nor a new one takes the result', async () => {
    const { results, calls, outcomes } = harness();
    await results.deliver(pending(), () => undefined);
    assert.equal(calls.length, 1);
    assert.match(calls[0], /^retry 7 /);
    assert.deepEqual(outcomes, ['retry-scheduled']);
  });

  it('counts a refusal on the association as a failed attempt, not a delivery', async () => {
    const { results, calls, outcomes } = harness({ destination: false });
    await results.deliver(pending(), () => Promise.resolve(0x0110));
    assert.match(calls[0], /^retry 7 N-EVENT-REPORT answered with status 0x0110 \(same association\)/);
    assert.deepEqual(outcomes, ['retry-scheduled']);
  });

  it('gives up and removes the result once the retry period is over', async () => {
    const { results, calls, outcomes } = harness({ destination: false });
    await results.deliver(pending(9, new Date(Date.now() - 24 * HOUR)));
    assert.deepEqual(calls, ['remove 7']);
    assert.deepEqual(outcomes, ['undelivered']);
  });
});
